// Rendezvous 0.12 reads the simnet deployment plan in the nested form
// (`- emulated-contract-publish: {contract-name: …}`), but clarinet-sdk 3.21 writes the
// flat, tagged form (`- transaction-type: emulated-contract-publish`, `contract-name: …`),
// so rv cannot find any contract. This preload turns flat entries into nested ones as rv
// parses the plan; nothing on disk changes. Remove it once rv reads the tagged form.
const yaml = require("yaml");
const parse = yaml.parse;
yaml.parse = function (...args) {
  const doc = parse.apply(this, args);
  for (const batch of doc?.plan?.batches ?? []) {
    batch.transactions = (batch.transactions ?? []).map((t) => {
      if (t && typeof t === "object" && "transaction-type" in t) {
        const { "transaction-type": kind, ...fields } = t;
        return { [kind]: fields };
      }
      return t;
    });
  }
  return doc;
};

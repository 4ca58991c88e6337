// The five cost dimensions Clarinet's simnet reports for a call (with cost tracking on),
// named as the Rust simnet's `Cost` serialises them. Shared by contracts/costs.mjs and the
// counter reference (crates/ehr-harness/tests/clarinet/costs.mjs).
export function costOf(receipt, what) {
  if (!receipt.costs) throw new Error(`no costs reported for ${what}: enable cost tracking`);
  const t = receipt.costs.total;
  return {
    runtime: t.runtime,
    read_count: t.readCount,
    read_length: t.readLength,
    write_count: t.writeCount,
    write_length: t.writeLength,
  };
}

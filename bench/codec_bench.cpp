// floe-codec-bench: Sparkplug payload codec rates on realistic messages.
//   DDATA  : 10 metrics, aliases only, no datatypes, mixed types (a typical edge-node report)
//   NBIRTH : ice-plant edge node, ~50 metrics with names, aliases, datatypes and properties
//   NBIRTH-900 / NBIRTH-2k: large births; the 2k one (over 64 KiB) also pays for the wire walk
//   that checks limits before libprotobuf parses
// For each: decode, decode + resolve_datatype (DATA only: what a host does with the birth's
// types) and encode; prints messages/s and ns/message. Figures only, no assertions.
// Usage: floe-codec-bench [seconds per measurement, default 1]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sparkplug/payload_codec.hpp"

using namespace floe::sparkplug;

namespace {

constexpr uint64_t t0 = 1'700'000'000'000;

metric make(std::string name, uint64_t alias, datatype t, value v) {
  metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.timestamp = t0;
  m.type = t;
  m.val = std::move(v);
  return m;
}

property_value prop(datatype t, decltype(property_value::value) v) {
  property_value p;
  p.type = t;
  p.value = std::move(v);
  return p;
}

void add_analog_properties(metric& m, const char* unit, float low, float high) {
  m.properties.emplace();
  m.properties->keys = {"engUnit", "engLow", "engHigh", "Quality"};
  m.properties->values = {prop(datatype::string, std::string(unit)),
                          prop(datatype::float32, low), prop(datatype::float32, high),
                          prop(datatype::int32, int64_t{192})};
}

// The 10 metrics of a DDATA with their birth datatypes (alias = index + 1).
payload ddata(std::vector<datatype>& birth_types) {
  payload p;
  p.timestamp = t0 + 1000;
  p.seq = 42;
  std::vector<std::pair<datatype, value>> values = {
    {datatype::float32, -8.25f},                 // brine temperature
    {datatype::float64, 231.57},                 // suction pressure
    {datatype::int32, int64_t{-1250}},           // motor current offset
    {datatype::boolean, true},                   // compressor running
    {datatype::uint32, uint64_t{3'000'000'000}}, // energy counter
    {datatype::int16, int64_t{-12}},             // ammonia sensor drift
    {datatype::string, std::string("RUN")},      // state text
    {datatype::int64, int64_t{-5'000'000'000}},  // totaliser delta
    {datatype::datetime, uint64_t{t0 - 60'000}}, // last defrost
    {datatype::uint64, uint64_t{123'456'789'012}},
  };
  birth_types.clear();
  for (size_t i = 0; i < values.size(); ++i) {
    metric m;
    m.alias = i + 1;
    m.timestamp = t0 + 1000;
    m.type = values[i].first;
    m.datatype_on_wire = false;
    m.val = values[i].second;
    p.metrics.push_back(std::move(m));
    birth_types.push_back(values[i].first);
  }
  return p;
}

// An ice-plant NBIRTH: node control metrics, then per-equipment analog and digital points.
payload nbirth(size_t equipment_count) {
  payload p;
  p.timestamp = t0;
  p.seq = 0;
  uint64_t alias = 1;
  p.metrics.push_back(make("bdSeq", alias++, datatype::int64, int64_t{3}));
  p.metrics.push_back(make("Node Control/Rebirth", alias++, datatype::boolean, false));
  p.metrics.push_back(make("Node Control/Scan Rate", alias++, datatype::int64, int64_t{1000}));
  p.metrics.push_back(make("Properties/Hardware Make", alias++, datatype::string,
                           std::string("Raspberry Pi")));
  p.metrics.push_back(make("Properties/OS Version", alias++, datatype::string,
                           std::string("Debian 12")));
  for (size_t e = 0; e < equipment_count; ++e) {
    std::string prefix = (e % 3 == 0   ? "Compressor "
                          : e % 3 == 1 ? "Brine Tank "
                                       : "Condenser ")
                         + std::to_string(e / 3 + 1) + "/";
    auto temp = make(prefix + "Temperature", alias++, datatype::float32, -8.5f + float(e));
    add_analog_properties(temp, "degC", -40.0f, 60.0f);
    auto pressure = make(prefix + "Pressure", alias++, datatype::float64, 231.5 + double(e));
    add_analog_properties(pressure, "kPa", 0.0f, 2500.0f);
    auto current = make(prefix + "Motor Current", alias++, datatype::float32, 41.2f);
    add_analog_properties(current, "A", 0.0f, 200.0f);
    p.metrics.push_back(std::move(temp));
    p.metrics.push_back(std::move(pressure));
    p.metrics.push_back(std::move(current));
    p.metrics.push_back(make(prefix + "Running", alias++, datatype::boolean, e % 2 == 0));
    p.metrics.push_back(make(prefix + "Run Hours", alias++, datatype::uint32, uint64_t{12'000 + e}));
    p.metrics.push_back(make(prefix + "Last Start", alias++, datatype::datetime, uint64_t{t0 - 3'600'000}));
    p.metrics.push_back(make(prefix + "Alarm Text", alias++, datatype::string, std::string("")));
    p.metrics.push_back(make(prefix + "Fault Code", alias++, datatype::int16, int64_t{0}));
    p.metrics.push_back(make(prefix + "Setpoint", alias++, datatype::float32, -10.0f));
  }
  return p;
}

struct rate {
  double per_second;
  double ns_per_message;
};

// Runs `op` in batches until `seconds` have passed.
template <class Op>
rate measure(double seconds, Op op) {
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < 100; ++i) // warm-up
    op();
  size_t runs = 0;
  size_t batch = 64;
  auto start = clock::now();
  std::chrono::duration<double> elapsed{0};
  while (elapsed.count() < seconds) {
    for (size_t i = 0; i < batch; ++i)
      op();
    runs += batch;
    elapsed = clock::now() - start;
    if (elapsed.count() < seconds / 10)
      batch *= 2;
  }
  return {double(runs) / elapsed.count(), elapsed.count() * 1e9 / double(runs)};
}

void print(const char* payload_name, const char* operation, size_t bytes, size_t metrics,
           rate r) {
  std::printf("%-10s %-16s %7zu B %5zu metrics %12.0f msg/s %10.0f ns/msg %8.1f ns/metric\n",
              payload_name, operation, bytes, metrics, r.per_second, r.ns_per_message,
              r.ns_per_message / double(metrics));
}

size_t sink = 0; // keeps results observable so the loops are not optimised away

void bench_payload(const char* name, const payload& p, const std::vector<datatype>* birth_types,
                   double seconds) {
  std::string wire;
  if (auto r = encode_payload(p, wire); !r) {
    std::printf("%s: encode failed: %s\n", name, to_string(r.error()).c_str());
    std::exit(1);
  }
  size_t n = p.metrics.size();
  print(name, "decode", wire.size(), n, measure(seconds, [&] {
          auto d = decode_payload(wire);
          sink += d ? d->metrics.size() : 0;
        }));
  if (birth_types != nullptr) {
    print(name, "decode+resolve", wire.size(), n, measure(seconds, [&] {
            auto d = decode_payload(wire);
            if (!d)
              return;
            for (auto& m : d->metrics)
              if (m.alias && *m.alias - 1 < birth_types->size())
                sink += resolve_datatype(m, (*birth_types)[*m.alias - 1]).has_value();
          }));
  }
  std::string out;
  print(name, "encode", wire.size(), n, measure(seconds, [&] {
          auto r = encode_payload(p, out);
          sink += r.has_value() ? out.size() : 0;
        }));
}

} // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  if (seconds <= 0)
    seconds = 1.0;
  std::vector<datatype> birth_types;
  auto data = ddata(birth_types);
  // Check once that the DATA message types the way the bench assumes.
  auto check = decode_payload(encode_payload(data).value());
  for (auto& m : check->metrics)
    if (!resolve_datatype(m, birth_types[*m.alias - 1])) {
      std::printf("DDATA does not resolve\n");
      return 1;
    }
  std::printf("floe-codec-bench: %.1f s per measurement\n", seconds);
  bench_payload("DDATA", data, &birth_types, seconds);
  bench_payload("NBIRTH", nbirth(5), nullptr, seconds);    // 50 metrics
  bench_payload("NBIRTH-900", nbirth(100), nullptr, seconds); // 905 metrics, < 64 KiB
  bench_payload("NBIRTH-2k", nbirth(222), nullptr, seconds); // 2003 metrics, > 64 KiB
  return sink == 42 ? 1 : 0; // never true in practice; uses `sink`
}

#pragma once
// Payload builders and a fixture for the edge_node_session suites. Include after
// <caf/test/unit_test.hpp>.

#include <string>
#include <utility>
#include <vector>

#include "actors/host/edge_node_session.hpp"
#include "sparkplug/payload_codec.hpp"

namespace floe::host::test {

using namespace floe::sparkplug;
namespace sparkplug = floe::sparkplug;
namespace defaults = floe::defaults;
using mt = message_type;

inline constexpr uint64_t birth_ms = 1'700'000'000'000;
inline constexpr int64_t start_ms = 1'700'000'005'000; // arrival clock of the first message

// A birth metric: name, datatype, value, optional alias, metric timestamp.
inline metric def(std::string name, datatype t, value v, std::optional<uint64_t> alias = {}) {
  metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.type = t;
  m.timestamp = birth_ms;
  m.val = std::move(v);
  return m;
}

// A DATA metric as decoded from an alias-only message: no name, no datatype, raw value.
inline metric by_alias(uint64_t alias, value raw) {
  metric m;
  m.alias = alias;
  m.datatype_on_wire = false;
  m.val = std::move(raw);
  return m;
}

// A DATA metric by name, raw value.
inline metric by_name(std::string name, value raw) {
  metric m;
  m.name = std::move(name);
  m.datatype_on_wire = false;
  m.val = std::move(raw);
  return m;
}

inline metric bdseq_metric_of(uint64_t bdseq) {
  return def(std::string(bdseq_metric), datatype::int64, int64_t(bdseq));
}

inline metric rebirth_metric() {
  return def(std::string(node_rebirth_metric), datatype::boolean, false);
}

// NBIRTH with bdSeq, Node Control/Rebirth and `extra`.
inline payload nbirth(uint64_t bdseq, uint64_t seq, std::vector<metric> extra = {}) {
  payload p;
  p.timestamp = birth_ms;
  p.seq = seq;
  p.metrics.push_back(bdseq_metric_of(bdseq));
  p.metrics.push_back(rebirth_metric());
  for (auto& m : extra)
    p.metrics.push_back(std::move(m));
  return p;
}

inline payload with(uint64_t seq, std::vector<metric> metrics, uint64_t ts = birth_ms + 1) {
  payload p;
  p.timestamp = ts;
  p.seq = seq;
  p.metrics = std::move(metrics);
  return p;
}

inline payload ndeath(uint64_t bdseq) {
  payload p;
  p.metrics.push_back(bdseq_metric_of(bdseq));
  return p;
}

inline payload ddeath(uint64_t seq, uint64_t ts) {
  payload p;
  p.timestamp = ts;
  p.seq = seq;
  return p;
}

// A payload sent through the codec, as the host receives it off the wire.
inline payload over_the_wire(const payload& p) {
  auto bytes = encode_payload(p);
  if (!bytes)
    CAF_FAIL("encode failed: " << to_string(bytes.error()));
  auto back = decode_payload(*bytes);
  if (!back)
    CAF_FAIL("decode failed: " << to_string(back.error()));
  return std::move(back).value();
}

struct session_fixture {
  session_config config;
  edge_node_session session{"G", "E"};
  std::vector<session_event> events; // of the last feed/tick
  int64_t now = start_ms;

  void reconfigure(session_config c) {
    config = c;
    session = edge_node_session("G", "E", c);
  }

  // Hands one message to the session at `now` and keeps its events.
  void feed(mt type, payload p, std::string_view device = {}) {
    session.handle(type, device, std::move(p), now);
    session.take_events(events);
  }

  void tick(int64_t at) {
    now = at;
    session.on_timer(now);
    session.take_events(events);
  }

  // NBIRTH with one Double "Temp" (alias 1) and a DBIRTH of device "D1" with Int32 "Level"
  // (alias 10): seq 0 and 1, bdSeq 7.
  void born_with_device() {
    feed(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 20.5, 1)}));
    feed(mt::dbirth, with(1, {def("Level", datatype::int32, int64_t{3}, 10)}), "D1");
  }

  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (const auto* x = std::get_if<T>(&e))
        out.push_back(*x);
    return out;
  }

  template <class T>
  size_t count() const {
    size_t n = 0;
    for (const auto& e : events)
      n += std::holds_alternative<T>(e) ? 1 : 0;
    return n;
  }

  size_t faults_of(fault_kind k) const {
    size_t n = 0;
    for (const auto& f : all<protocol_fault>())
      n += f.kind == k ? 1 : 0;
    return n;
  }

  // Names of the metric updates of the last feed, in order.
  std::vector<std::string> updated() const {
    std::vector<std::string> out;
    for (const auto& u : all<metric_update>())
      out.push_back(u.name);
    return out;
  }

  // Values of the metric updates of the last feed as doubles (Double metrics only).
  std::vector<double> doubles() const {
    std::vector<double> out;
    for (const auto& u : all<metric_update>())
      if (const auto* d = std::get_if<double>(&u.value))
        out.push_back(*d);
    return out;
  }
};

// NDATA with one raw Double value for alias 1 ("Temp" of born_with_device()).
inline payload temp(uint64_t seq, double v) {
  return with(seq, {by_alias(1, v)});
}

} // namespace floe::host::test

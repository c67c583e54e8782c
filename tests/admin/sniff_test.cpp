// The sniffer's protocol tracker (seq, births, deaths) and its decoder/formatter on payloads
// encoded with floe's own codec.
#define CAF_SUITE admin_sniff
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/sniff_core.hpp"
#include "admin/sniff_tracker.hpp"
#include "sparkplug/payload_codec.hpp"

using namespace floe::admin;
using floe::sparkplug::message_type;
namespace sp = floe::sparkplug;

namespace {

message_facts msg(message_type t, std::optional<uint64_t> seq, std::string device = {},
                  std::optional<int64_t> bdseq = std::nullopt, std::string edge = "e1") {
  message_facts m;
  m.type = t;
  m.group = "G";
  m.edge_node = std::move(edge);
  m.device = std::move(device);
  m.seq = seq;
  m.bdseq = bdseq;
  return m;
}

message_facts nbirth(int64_t bdseq, std::string edge = "e1") {
  return msg(message_type::nbirth, 0, {}, bdseq, std::move(edge));
}

message_facts ndeath(int64_t bdseq) {
  return msg(message_type::ndeath, std::nullopt, {}, bdseq);
}

std::vector<violation_kind> kinds(const std::vector<violation>& v) {
  std::vector<violation_kind> out;
  for (auto& x : v)
    out.push_back(x.kind);
  return out;
}

using kind_list = std::vector<violation_kind>;

bool contains(const std::string& s, const std::string& part) {
  if (s.find(part) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << s << "' lacks '" << part << "'");
  return false;
}

sp::metric int_metric(std::string name, int64_t v, std::optional<uint64_t> alias = {}) {
  sp::metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.type = sp::datatype::int64;
  m.val = v;
  return m;
}

sp::metric float_metric(std::string name, float v, std::optional<uint64_t> alias = {}) {
  sp::metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.type = sp::datatype::float32;
  m.val = v;
  return m;
}

std::string encode(const sp::payload& p) {
  auto bytes = sp::encode_payload(p);
  if (!bytes)
    CAF_FAIL("encode failed: " << sp::to_string(bytes.error()));
  return *bytes;
}

std::string birth_bytes(int64_t bdseq) {
  sp::payload p;
  p.timestamp = 1793700900000;
  p.seq = 0;
  p.metrics.push_back(int_metric("bdSeq", bdseq));
  p.metrics.push_back(float_metric("Gateway/CPU Load", 12.5f, 7));
  return encode(p);
}

} // namespace

// --- sequence_tracker ----------------------------------------------------------------------

CAF_TEST(an_orderly_session_has_no_violations) {
  sequence_tracker t;
  CAF_CHECK(t.observe(nbirth(3)).empty());
  CAF_CHECK(t.observe(msg(message_type::dbirth, 1, "d1")).empty());
  CAF_CHECK(t.observe(msg(message_type::ddata, 2, "d1")).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 3)).empty());
  CAF_CHECK(t.observe(msg(message_type::ddeath, 4, "d1")).empty());
  CAF_CHECK(t.observe(ndeath(3)).empty());
  auto* e = t.find("G", "e1");
  CAF_REQUIRE(e != nullptr);
  CAF_CHECK(e->state == sequence_tracker::session::dead);
}

CAF_TEST(a_skipped_seq_is_a_gap_naming_expected_and_got) {
  sequence_tracker t;
  t.observe(nbirth(1));
  for (uint64_t s = 1; s <= 11; ++s)
    CAF_CHECK(t.observe(msg(message_type::ndata, s)).empty());
  auto v = t.observe(msg(message_type::ndata, 14));
  CAF_REQUIRE_EQUAL(v.size(), 1u);
  CAF_CHECK(v[0].kind == violation_kind::seq_gap);
  CAF_CHECK_EQUAL(v[0].text, "seq gap: expected 12, got 14");
  // The tracker follows the new seq: the next one in order is fine again.
  CAF_CHECK(t.observe(msg(message_type::ndata, 15)).empty());
}

CAF_TEST(seq_wraps_from_255_to_0) {
  sequence_tracker t;
  t.observe(nbirth(1));
  for (uint64_t s = 1; s <= 255; ++s)
    CAF_REQUIRE(t.observe(msg(message_type::ndata, s)).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 0)).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 1)).empty());
  // A repeat of the previous seq is not in order either.
  auto v = t.observe(msg(message_type::ndata, 1));
  CAF_CHECK_EQUAL(kinds(v), kind_list{violation_kind::seq_gap});
  CAF_CHECK(contains(v[0].text, "expected 2, got 1"));
}

CAF_TEST(data_without_a_birth_is_flagged_once_and_then_followed) {
  sequence_tracker t;
  auto v = t.observe(msg(message_type::ddata, 40, "d1"));
  CAF_CHECK_EQUAL(kinds(v), kind_list{violation_kind::data_before_birth});
  CAF_CHECK(contains(v[0].text, "data before birth"));
  CAF_CHECK(t.observe(msg(message_type::ddata, 41, "d1")).empty());
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::ddata, 43, "d1"))),
                  kind_list{violation_kind::seq_gap});
  CAF_CHECK(t.observe(nbirth(2)).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 1)).empty());
}

CAF_TEST(data_after_ndeath_is_data_before_birth) {
  sequence_tracker t;
  t.observe(nbirth(5));
  t.observe(ndeath(5));
  auto v = t.observe(msg(message_type::ndata, 1));
  CAF_CHECK_EQUAL(kinds(v), kind_list{violation_kind::data_before_birth});
  CAF_CHECK(contains(v[0].text, "after its NDEATH"));
}

CAF_TEST(device_data_before_its_dbirth_is_flagged_once_per_device) {
  sequence_tracker t;
  t.observe(nbirth(1));
  auto v = t.observe(msg(message_type::ddata, 1, "pump"));
  CAF_CHECK_EQUAL(kinds(v), kind_list{violation_kind::data_before_birth});
  CAF_CHECK(contains(v[0].text, "device pump"));
  CAF_CHECK(t.observe(msg(message_type::ddata, 2, "pump")).empty());
  CAF_CHECK(t.observe(msg(message_type::dbirth, 3, "valve")).empty());
  CAF_CHECK(t.observe(msg(message_type::ddata, 4, "valve")).empty());
  CAF_CHECK(t.observe(msg(message_type::ddeath, 5, "valve")).empty());
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::ddata, 6, "valve"))),
                  kind_list{violation_kind::data_before_birth});
}

CAF_TEST(ndeath_with_another_bdseq_is_stale_and_keeps_the_session) {
  sequence_tracker t;
  t.observe(nbirth(4));
  t.observe(msg(message_type::ndata, 1));
  auto v = t.observe(ndeath(3));
  CAF_CHECK_EQUAL(kinds(v), kind_list{violation_kind::stale_ndeath});
  CAF_CHECK_EQUAL(v[0].text, "NDEATH bdSeq 3 does not match NBIRTH bdSeq 4");
  auto* e = t.find("G", "e1");
  CAF_REQUIRE(e != nullptr);
  CAF_CHECK(e->state == sequence_tracker::session::online);
  CAF_CHECK(t.observe(msg(message_type::ndata, 2)).empty()); // session and seq go on
  CAF_CHECK(t.observe(ndeath(4)).empty());
  CAF_CHECK(e->state == sequence_tracker::session::dead);
}

CAF_TEST(births_need_seq_zero_and_a_bdseq) {
  sequence_tracker t;
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::nbirth, 5, {}, 1))),
                  kind_list{violation_kind::birth_seq_not_zero});
  CAF_CHECK(t.observe(msg(message_type::ndata, 6)).empty()); // followed from the birth's seq
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::nbirth, 0))),
                  kind_list{violation_kind::missing_bdseq});
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::ndata, std::nullopt))),
                  kind_list{violation_kind::missing_seq});
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::ndeath, std::nullopt))),
                  kind_list{violation_kind::missing_bdseq});
}

CAF_TEST(a_malformed_payload_forgets_the_seq) {
  sequence_tracker t;
  t.observe(nbirth(1));
  t.observe(msg(message_type::ndata, 1));
  auto v = t.malformed(msg(message_type::ndata, std::nullopt), "payload_malformed: truncated");
  CAF_CHECK(v.kind == violation_kind::malformed_payload);
  CAF_CHECK_EQUAL(v.text, "malformed payload: payload_malformed: truncated");
  CAF_CHECK(t.observe(msg(message_type::ndata, 3)).empty()); // seq 2 was in the lost message
  CAF_CHECK_EQUAL(kinds(t.observe(msg(message_type::ndata, 5))),
                  kind_list{violation_kind::seq_gap});
}

CAF_TEST(edge_nodes_are_tracked_independently_and_commands_are_not_checked) {
  sequence_tracker t;
  t.observe(nbirth(1, "a"));
  t.observe(nbirth(1, "b"));
  CAF_CHECK(t.observe(msg(message_type::ndata, 1, {}, {}, "a")).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 1, {}, {}, "b")).empty());
  CAF_CHECK(t.observe(msg(message_type::ncmd, std::nullopt, {}, {}, "a")).empty());
  CAF_CHECK(t.observe(msg(message_type::dcmd, 77, "d", {}, "a")).empty());
  CAF_CHECK(t.observe(msg(message_type::ndata, 2, {}, {}, "a")).empty());
  CAF_CHECK_EQUAL(t.edge_nodes(), 2u);
}

// --- sniff_core ----------------------------------------------------------------------------

CAF_TEST(birth_line_shows_type_path_seq_bdseq_and_first_metrics) {
  sniff_core core{sniff_format{}};
  auto line = core.on_message("spBv1.0/G/NBIRTH/e1", birth_bytes(4), 1793700900123);
  CAF_CHECK(contains(line, "2026-11-03T10:15:00.123Z"));
  CAF_CHECK(contains(line, "NBIRTH  G/e1"));
  CAF_CHECK(contains(line, "seq 0"));
  CAF_CHECK(contains(line, "bdSeq 4"));
  CAF_CHECK(contains(line, "2 metrics"));
  CAF_CHECK(contains(line, "bdSeq=4, Gateway/CPU Load=12.5"));
  CAF_CHECK(line.find("!!") == std::string::npos);
}

CAF_TEST(violations_are_appended_to_the_line) {
  sniff_core core{sniff_format{}};
  core.on_message("spBv1.0/G/NBIRTH/e1", birth_bytes(4), 1);
  sp::payload data;
  data.seq = 2; // 1 is missing
  sp::metric m;
  m.alias = 7; // alias only, untyped: named and typed from the birth
  m.datatype_on_wire = false;
  m.type = sp::datatype::float32;
  m.val = 13.25f;
  data.metrics.push_back(m);
  auto line = core.on_message("spBv1.0/G/NDATA/e1", encode(data), 2);
  CAF_CHECK(contains(line, "NDATA   G/e1  seq 2  1 metric  Gateway/CPU Load=13.25"));
  CAF_CHECK(contains(line, "!! seq gap: expected 1, got 2"));
  auto bad = core.on_message("spBv1.0/G/DDATA/e1/d1", std::string("\xff\xff\xff", 3), 3);
  CAF_CHECK(contains(bad, "DDATA   G/e1/d1"));
  CAF_CHECK(contains(bad, "!! malformed payload: "));
  sp::payload death;
  death.metrics.push_back(int_metric("bdSeq", 3));
  auto stale = core.on_message("spBv1.0/G/NDEATH/e1", encode(death), 4);
  CAF_CHECK(contains(stale, "!! NDEATH bdSeq 3 does not match NBIRTH bdSeq 4"));
  CAF_CHECK_EQUAL(core.messages(), 4u);
  CAF_CHECK_EQUAL(core.violations(), 3u);
}

CAF_TEST(json_mode_prints_one_object_per_message) {
  sniff_format f;
  f.json = true;
  sniff_core core{f};
  auto first = nlohmann::json::parse(core.on_message("spBv1.0/G/DDATA/e1/d1", birth_bytes(1), 5));
  CAF_CHECK_EQUAL(first["type"].get<std::string>(), "DDATA");
  CAF_CHECK_EQUAL(first["device"].get<std::string>(), "d1");
  CAF_CHECK_EQUAL(first["seq"].get<int>(), 0);
  CAF_CHECK_EQUAL(first["metric_count"].get<int>(), 2);
  CAF_CHECK_EQUAL(first["metrics"][1]["name"].get<std::string>(), "Gateway/CPU Load");
  CAF_REQUIRE_EQUAL(first["violations"].size(), 1u);
  CAF_CHECK_EQUAL(first["violations"][0]["kind"].get<std::string>(), "data_before_birth");
  auto state = nlohmann::json::parse(
    core.on_message("spBv1.0/STATE/floe", R"({"online":true,"timestamp":1793700900000})", 6));
  CAF_CHECK_EQUAL(state["type"].get<std::string>(), "STATE");
  CAF_CHECK_EQUAL(state["host_id"].get<std::string>(), "floe");
  CAF_CHECK(state["online"].get<bool>());
  CAF_CHECK(state["violations"].empty());
}

CAF_TEST(topics_that_claim_sparkplug_but_do_not_parse_are_flagged) {
  sniff_core core{sniff_format{}};
  CAF_CHECK(contains(core.on_message("spBv1.0/G/NOPE/e1", "", 1), "!! bad topic: "));
  auto other = core.on_message("plant/temperature", "21.5", 1);
  CAF_CHECK(contains(other, "OTHER  plant/temperature  4 bytes"));
  CAF_CHECK(other.find("!!") == std::string::npos);
}

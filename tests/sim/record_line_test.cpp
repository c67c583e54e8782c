#define CAF_SUITE sim_record_line
#include <caf/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "sim/record.hpp"

using namespace floe::sim;
namespace sp = floe::sparkplug;
using json = nlohmann::json;

namespace {

std::vector<metric_spec> two_specs() {
  metric_spec a;
  a.name = "Suction Pressure";
  a.type = sp::datatype::float32;
  metric_spec b;
  b.name = "Running";
  b.type = sp::datatype::boolean;
  return {a, b};
}

} // namespace

CAF_TEST(ddata_lines_resolve_alias_names_and_keep_wire_values) {
  auto specs = two_specs();
  sp::payload p;
  p.timestamp = 1700000000123;
  p.seq = 42;
  sp::metric m;
  m.alias = 7;
  m.type = sp::datatype::float32;
  m.datatype_on_wire = false;
  m.timestamp = 1700000000123;
  m.val = 2.41f;
  p.metrics.push_back(m);
  sp::metric n;
  n.alias = 8;
  n.type = sp::datatype::boolean;
  n.timestamp = 1700000000000;
  n.is_null = true;
  p.metrics.push_back(n);
  record_context ctx;
  ctx.id = 17;
  ctx.topic = "spBv1.0/G/DDATA/E/D";
  ctx.type = sent_type::ddata;
  ctx.group = "G";
  ctx.edge_node = "E";
  ctx.device = "D";
  ctx.bdseq = 3;
  json line = json::parse(record_line(ctx, p, {&specs, 7}));
  CAF_CHECK_EQUAL(line["id"].get<uint64_t>(), 17u);
  CAF_CHECK_EQUAL(line["type"].get<std::string>(), "DDATA");
  CAF_CHECK_EQUAL(line["device"].get<std::string>(), "D");
  CAF_CHECK_EQUAL(line["bdSeq"].get<int>(), 3);
  CAF_CHECK_EQUAL(line["seq"].get<int>(), 42);
  CAF_CHECK_EQUAL(line["timestamp"].get<uint64_t>(), 1700000000123u);
  CAF_CHECK(!line["will"].get<bool>());
  const json& m0 = line["metrics"][0];
  CAF_CHECK_EQUAL(m0["name"].get<std::string>(), "Suction Pressure");
  CAF_CHECK_EQUAL(m0["alias"].get<int>(), 7);
  CAF_CHECK_EQUAL(m0["datatype"].get<std::string>(), "Float");
  // The float as a decoder sees it: widened to double, not re-rounded to 2.41.
  CAF_CHECK_EQUAL(m0["value"].get<double>(), static_cast<double>(2.41f));
  CAF_CHECK(!m0["is_null"].get<bool>());
  const json& m1 = line["metrics"][1];
  CAF_CHECK_EQUAL(m1["name"].get<std::string>(), "Running");
  CAF_CHECK(m1["value"].is_null());
  CAF_CHECK(m1["is_null"].get<bool>());
  CAF_CHECK_EQUAL(m1["timestamp"].get<uint64_t>(), 1700000000000u);
}

CAF_TEST(death_lines_have_no_seq_and_node_lines_no_device) {
  sp::payload p;
  p.timestamp = 5;
  sp::metric bd;
  bd.name = "bdSeq";
  bd.type = sp::datatype::int64;
  bd.timestamp = 5;
  bd.val = int64_t{9};
  p.metrics.push_back(bd);
  record_context ctx;
  ctx.type = sent_type::ndeath;
  ctx.topic = "spBv1.0/G/NDEATH/E";
  ctx.will = true;
  ctx.qos = 1;
  json line = json::parse(record_line(ctx, p, {}));
  CAF_CHECK(line["seq"].is_null());
  CAF_CHECK(line["device"].is_null());
  CAF_CHECK(line["will"].get<bool>());
  CAF_CHECK_EQUAL(line["metrics"][0]["value"].get<int64_t>(), 9);
  CAF_CHECK(line["metrics"][0]["alias"].is_null());
}

CAF_TEST(birth_properties_are_recorded) {
  sp::payload p;
  sp::metric m;
  m.name = "Flow";
  m.alias = 3;
  m.type = sp::datatype::float64;
  m.val = 1.5;
  sp::property_set props;
  props.keys = {"engUnit", "engHigh"};
  sp::property_value unit;
  unit.type = sp::datatype::string;
  unit.value = std::string("m3/h");
  sp::property_value high;
  high.type = sp::datatype::float64;
  high.value = 100.0;
  props.values = {unit, high};
  m.properties = props;
  p.metrics.push_back(m);
  json line = json::parse(record_line({}, p, {}));
  CAF_CHECK_EQUAL(line["metrics"][0]["properties"]["engUnit"].get<std::string>(), "m3/h");
  CAF_CHECK_EQUAL(line["metrics"][0]["properties"]["engHigh"].get<double>(), 100.0);
}

CAF_TEST(recorder_writes_one_line_per_message_and_undelivered_markers) {
  char path[] = "/tmp/floe-sim-record-XXXXXX";
  int fd = mkstemp(path);
  CAF_REQUIRE(fd >= 0);
  close(fd);
  {
    auto r = recorder::open(path);
    CAF_REQUIRE(r.has_value());
    sp::payload p;
    p.seq = 1;
    record_context ctx;
    ctx.id = 1;
    (*r)->message(ctx, p, {});
    ctx.id = 2;
    (*r)->message(ctx, p, {});
    (*r)->undelivered(2);
    CAF_CHECK((*r)->close().empty());
  }
  std::ifstream in(path);
  std::vector<json> lines;
  for (std::string l; std::getline(in, l);)
    lines.push_back(json::parse(l));
  std::remove(path);
  CAF_REQUIRE_EQUAL(lines.size(), 3u);
  CAF_CHECK_EQUAL(lines[1]["id"].get<int>(), 2);
  CAF_CHECK_EQUAL(lines[2]["undelivered"].get<int>(), 2);
}

CAF_TEST(recorder_reports_a_path_it_cannot_create) {
  auto r = recorder::open("/nonexistent-dir/x.jsonl");
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(r.error().find("/nonexistent-dir/x.jsonl") != std::string::npos);
}

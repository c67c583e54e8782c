#define CAF_SUITE sim_profile_parsing
#include <caf/test/unit_test.hpp>

#include <set>
#include <string>

#include "sim/profile.hpp"

using namespace floe::sim;
using floe::sparkplug::datatype;

namespace {

const std::string profiles_dir = std::string(FLOE_SOURCE_DIR) + "/config/profiles/";

// A minimal valid profile with one device kind whose metric list is `metrics`.
std::string with_metrics(const std::string& metrics) {
  return R"({"name":"t","device_kinds":[{"kind":"k","metrics":[)" + metrics + "]}]}";
}

// Parses `text`, which must fail, and returns the message.
std::string error_of(const std::string& text) {
  auto p = parse_profile(text, "test.json");
  if (p)
    CAF_FAIL("parsed although invalid: " << text);
  return p.error();
}

bool contains(const std::string& haystack, const std::string& needle) {
  if (haystack.find(needle) != std::string::npos)
    return true;
  CAF_MESSAGE("'" << haystack << "' lacks '" << needle << "'");
  return false;
}

const device_kind* find_kind(const profile& p, const std::string& name) {
  for (const auto& k : p.device_kinds)
    if (k.kind == name)
      return &k;
  return nullptr;
}

} // namespace

CAF_TEST(shipped_ice_plant_profile_has_all_plant_device_kinds) {
  auto p = load_profile(profiles_dir + "ice_plant.json");
  if (!p)
    CAF_FAIL(p.error());
  CAF_CHECK(p->report_by_exception);
  for (const char* kind : {"compressor", "condenser", "brine_tank", "ice_can_row",
                           "ammonia_detector", "power_meter"})
    CAF_CHECK(find_kind(*p, kind) != nullptr);
  const device_kind* compressor = find_kind(*p, "compressor");
  CAF_REQUIRE(compressor != nullptr);
  std::set<std::string> names;
  for (const auto& m : compressor->metrics)
    names.insert(m.name);
  for (const char* n : {"Running", "Suction Pressure", "Discharge Pressure", "Motor Current",
                        "Run Hours"})
    CAF_CHECK(names.count(n) == 1);
  // Motor current follows the running state (index 0).
  for (const auto& m : compressor->metrics)
    if (m.name == "Motor Current") {
      CAF_CHECK(m.gate && *m.gate == 0);
      CAF_CHECK(m.unit && *m.unit == "A");
    }
  const device_kind* detector = find_kind(*p, "ammonia_detector");
  CAF_REQUIRE(detector != nullptr);
  CAF_CHECK(std::holds_alternative<excursion_signal>(detector->metrics[0].signal));
}

CAF_TEST(shipped_synthetic_profile_expands_to_the_requested_metric_count) {
  auto p = load_profile(profiles_dir + "synthetic.json");
  if (!p)
    CAF_FAIL(p.error());
  CAF_REQUIRE(p->synthetic.has_value());
  CAF_CHECK(!p->report_by_exception);
  auto types = p->synthetic->datatypes;
  CAF_REQUIRE(expand_synthetic(*p, size_t{25}).has_value());
  CAF_REQUIRE_EQUAL(p->device_kinds.size(), 1u);
  const auto& metrics = p->device_kinds[0].metrics;
  CAF_REQUIRE_EQUAL(metrics.size(), 25u);
  for (size_t i = 0; i < metrics.size(); ++i)
    CAF_CHECK(metrics[i].type == types[i % types.size()]);
  CAF_CHECK_EQUAL(metrics[0].name, "metric-0001");
  CAF_CHECK_EQUAL(metrics[24].name, "metric-0025");
}

CAF_TEST(synthetic_profile_uses_its_own_count_without_override) {
  auto p = parse_profile(
    R"({"name":"s","synthetic":{"metrics":3,"datatypes":["Boolean","Int8"]}})", "s.json");
  CAF_REQUIRE(p.has_value());
  CAF_REQUIRE(expand_synthetic(*p, std::nullopt).has_value());
  CAF_REQUIRE_EQUAL(p->device_kinds[0].metrics.size(), 3u);
  CAF_CHECK(p->device_kinds[0].metrics[2].type == datatype::boolean);
}

CAF_TEST(metrics_override_on_a_plant_profile_is_refused) {
  auto p = parse_profile(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"constant","value":1}})"), "t.json");
  CAF_REQUIRE(p.has_value());
  auto r = expand_synthetic(*p, size_t{10});
  CAF_REQUIRE(!r.has_value());
  CAF_CHECK(contains(r.error(), "--metrics"));
  CAF_CHECK(expand_synthetic(*p, std::nullopt).has_value());
}

CAF_TEST(invalid_json_names_the_file) {
  std::string e = error_of("{\"name\": ");
  CAF_CHECK(contains(e, "test.json"));
  CAF_CHECK(contains(e, "not valid JSON"));
}

CAF_TEST(unknown_key_is_named_with_its_path) {
  std::string e = error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "sigal":{"model":"constant","value":1}})"));
  CAF_CHECK(contains(e, "device_kinds[0].metrics[0]"));
  // "signal" is missing and reported first; a typo elsewhere is reported by its path.
  std::string e2 = error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"constant","value":1,"noize":2}})"));
  CAF_CHECK(contains(e2, "device_kinds[0].metrics[0].signal.noize: unknown key"));
}

CAF_TEST(missing_required_fields_are_named) {
  CAF_CHECK(contains(error_of(R"({"device_kinds":[]})"), "name: is required"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a",
    "signal":{"model":"constant","value":1}})")), "metrics[0].datatype: is required"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"random_walk","max":3}})")), "signal.min: is required"));
  CAF_CHECK(contains(error_of(R"({"name":"x"})"), "exactly one of 'device_kinds' and 'synthetic'"));
}

CAF_TEST(unsupported_and_unknown_datatypes_are_refused) {
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"DataSet",
    "signal":{"model":"constant","value":1}})")), "not simulated"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Flaot",
    "signal":{"model":"constant","value":1}})")), "unknown Sparkplug datatype 'Flaot'"));
}

CAF_TEST(out_of_range_values_are_refused_with_their_bounds) {
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Boolean",
    "signal":{"model":"duty_cycle","period_s":10,"duty":1.5}})")),
                     "signal.duty: must be within 0..1, is 1.5"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"sine","offset":1,"amplitude":1,"period_s":0}})")),
                     "signal.period_s: must be > 0"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"random_walk","min":5,"max":1}})")), "signal.max: must be greater than min"));
  CAF_CHECK(contains(error_of(R"({"name":"s","synthetic":{"metrics":0,"datatypes":["Float"]}})"),
                     "synthetic.metrics: must be within"));
}

CAF_TEST(wrong_json_types_are_named) {
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"constant","value":1},"lag_s":"slow"})")),
                     "lag_s: must be a number, not string"));
  CAF_CHECK(contains(error_of(R"({"name":"t","device_kinds":{}})"), "device_kinds: must be a non-empty array"));
}

CAF_TEST(references_must_name_earlier_metrics_of_the_right_kind) {
  // `while` naming a later metric.
  CAF_CHECK(contains(error_of(with_metrics(R"(
    {"name":"Current","datatype":"Float","while":"Running","signal":{"model":"constant","value":1}},
    {"name":"Running","datatype":"Boolean","signal":{"model":"constant","value":true}})")),
                     "'Running' is not a metric defined before this one"));
  // `while` naming a non-Boolean.
  CAF_CHECK(contains(error_of(with_metrics(R"(
    {"name":"P","datatype":"Float","signal":{"model":"constant","value":1}},
    {"name":"Q","datatype":"Float","while":"P","signal":{"model":"constant","value":1}})")),
                     "while: must name a Boolean metric"));
  // per_wrap_of naming something that is not a sawtooth.
  CAF_CHECK(contains(error_of(with_metrics(R"(
    {"name":"P","datatype":"Float","signal":{"model":"constant","value":1}},
    {"name":"N","datatype":"Int64","signal":{"model":"counter","per_wrap_of":"P"}})")),
                     "per_wrap_of: must name a sawtooth metric"));
  // otherwise without while.
  CAF_CHECK(contains(error_of(with_metrics(R"(
    {"name":"P","datatype":"Float","signal":{"model":"constant","value":1},
     "otherwise":{"model":"constant","value":0}})")), "otherwise: needs 'while'"));
}

CAF_TEST(counter_needs_exactly_one_source) {
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"N","datatype":"Int64",
    "signal":{"model":"counter"}})")), "exactly one of rate, integrates, per_wrap_of"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"N","datatype":"Int64",
    "signal":{"model":"counter","rate":1,"per_wrap_of":"x"}})")),
                     "exactly one of rate, integrates, per_wrap_of"));
}

CAF_TEST(duplicate_and_reserved_metric_names_are_refused) {
  CAF_CHECK(contains(error_of(with_metrics(R"(
    {"name":"Level","datatype":"Float","signal":{"model":"constant","value":1}},
    {"name":"level","datatype":"Float","signal":{"model":"constant","value":1}})")),
                     "duplicate metric name 'level'"));
  CAF_CHECK(contains(error_of(R"({"name":"t","node_metrics":[
    {"name":"bdSeq","datatype":"Int64","signal":{"model":"constant","value":1}}],
    "device_kinds":[{"kind":"k","metrics":[
    {"name":"a","datatype":"Float","signal":{"model":"constant","value":1}}]}]})"),
                     "written by the simulator itself"));
}

CAF_TEST(string_constants_need_a_text_metric) {
  auto p = parse_profile(with_metrics(R"({"name":"Site","datatype":"String",
    "signal":{"model":"constant","value":"North hall"}})"), "t.json");
  CAF_REQUIRE(p.has_value());
  CAF_REQUIRE(p->device_kinds[0].metrics[0].text.has_value());
  CAF_CHECK_EQUAL(*p->device_kinds[0].metrics[0].text, "North hall");
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"Site","datatype":"Float",
    "signal":{"model":"constant","value":"North hall"}})")), "needs a String or Text metric"));
}

CAF_TEST(kind_defaults_and_bad_device_id_prefix) {
  auto p = parse_profile(with_metrics(R"({"name":"a","datatype":"Float",
    "signal":{"model":"constant","value":1}})"), "t.json");
  CAF_REQUIRE(p.has_value());
  CAF_CHECK_EQUAL(p->device_kinds[0].id_prefix, "k-");
  CAF_CHECK_EQUAL(p->device_kinds[0].weight, 1.0);
  CAF_CHECK(contains(error_of(R"({"name":"t","device_kinds":[{"kind":"k","id_prefix":"a/b",
    "metrics":[{"name":"a","datatype":"Float","signal":{"model":"constant","value":1}}]}]})"),
                     "device_kinds[0].id_prefix: not usable in a Sparkplug device id"));
}

CAF_TEST(measurement_noise_is_refused_on_counters_and_booleans) {
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"N","datatype":"Int64","noise":1,
    "signal":{"model":"counter","rate":1}})")), "noise: measurement noise needs"));
  CAF_CHECK(contains(error_of(with_metrics(R"({"name":"B","datatype":"Boolean","noise":1,
    "signal":{"model":"constant","value":true}})")), "noise: measurement noise needs"));
}

CAF_TEST(missing_file_is_a_clear_error) {
  auto p = load_profile(profiles_dir + "no_such_profile.json");
  CAF_REQUIRE(!p.has_value());
  CAF_CHECK(contains(p.error(), "cannot open profile"));
  CAF_CHECK(contains(p.error(), "no_such_profile.json"));
}

#define CAF_SUITE sim_sampler
#include <caf/test/unit_test.hpp>

#include <cmath>

#include "sim/profile.hpp"
#include "sim/sampler.hpp"

using namespace floe::sim;
namespace sp = floe::sparkplug;

namespace {

std::vector<metric_spec> parse_metrics(const std::string& metrics) {
  auto p = parse_profile(R"({"name":"t","device_kinds":[{"kind":"k","metrics":[)" + metrics
                           + "]}]}",
                         "t.json");
  if (!p)
    CAF_FAIL(p.error());
  return p->device_kinds[0].metrics;
}

metric_spec spec_of(sp::datatype t, std::optional<int> decimals = std::nullopt) {
  metric_spec m;
  m.type = t;
  m.decimals = decimals;
  return m;
}

} // namespace

CAF_TEST(gated_metric_follows_otherwise_while_its_gate_is_off) {
  auto specs = parse_metrics(R"(
    {"name":"Running","datatype":"Boolean","signal":{"model":"duty_cycle","period_s":20,"duty":0.5}},
    {"name":"Current","datatype":"Float","while":"Running",
     "signal":{"model":"constant","value":95},"otherwise":{"model":"constant","value":0}},
    {"name":"Hours","datatype":"Double","while":"Running","signal":{"model":"counter","rate":1}})");
  metric_sampler s{specs, 4};
  bool saw_on = false;
  bool saw_off = false;
  double hours_before = s.published(2, 0);
  for (int i = 0; i < 200; ++i) {
    double hours = s.published(2, 0);
    s.advance(1.0);
    bool on = s.published(0, 0) == 1.0;
    CAF_REQUIRE_EQUAL(s.published(1, 0), on ? 95.0 : 0.0);
    // The counter only runs while the gate is on (it was on during this step or not).
    if (!on)
      CAF_REQUIRE_EQUAL(s.published(2, 0), hours);
    saw_on = saw_on || on;
    saw_off = saw_off || !on;
  }
  CAF_CHECK(saw_on && saw_off);
  CAF_CHECK(s.published(2, 0) > hours_before + 50);
}

CAF_TEST(lag_approaches_a_step_change_gradually) {
  // On for 100 s, off for 100 s; the pressure moves with a 10 s time constant.
  auto specs = parse_metrics(R"(
    {"name":"Running","datatype":"Boolean","signal":{"model":"duty_cycle","period_s":200,"duty":0.5}},
    {"name":"Pressure","datatype":"Double","while":"Running","lag_s":10,
     "signal":{"model":"constant","value":12},"otherwise":{"model":"constant","value":8}})");
  metric_sampler s{specs, 1};
  bool was_on = s.published(0, 0) == 1.0;
  int checked_starts = 0;
  for (int i = 0; i < 1000; ++i) {
    s.advance(1);
    bool on = s.published(0, 0) == 1.0;
    if (on && !was_on) {
      // One second after the start: 8 + 4 * (1 - e^-0.1).
      CAF_CHECK(std::abs(s.published(1, 0) - (8 + 4 * (1 - std::exp(-0.1)))) < 1e-3);
      for (int k = 0; k < 60; ++k)
        s.advance(1);
      CAF_CHECK(s.published(1, 0) > 11.9 && s.published(1, 0) < 12.0);
      ++checked_starts;
      on = s.published(0, 0) == 1.0;
    }
    was_on = on;
  }
  CAF_CHECK(checked_starts >= 3);
}

CAF_TEST(measurement_noise_jitters_a_settled_value_without_moving_it) {
  auto specs = parse_metrics(R"(
    {"name":"P","datatype":"Double","noise":0.5,"lag_s":30,
     "signal":{"model":"constant","value":10}})");
  metric_sampler s{specs, 8};
  double sum = 0;
  bool changed = false;
  double prev = s.published(0, 0);
  for (int i = 0; i < 2000; ++i) {
    s.advance(1);
    double v = s.published(0, 0);
    changed = changed || v != prev;
    prev = v;
    sum += v;
  }
  CAF_CHECK(changed);
  CAF_CHECK(std::abs(sum / 2000 - 10.0) < 0.1);
}

CAF_TEST(clamps_apply_after_noise) {
  auto specs = parse_metrics(R"(
    {"name":"ppm","datatype":"Float","min":0,"noise":1,"signal":{"model":"constant","value":0}})");
  metric_sampler s{specs, 3};
  for (int i = 0; i < 500; ++i) {
    s.advance(1);
    CAF_REQUIRE(s.published(0, 0) >= 0.0);
  }
}

CAF_TEST(quantize_rounds_like_the_instrument) {
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::float64, 2), 1.23456, 0), 1.23);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::float64), 1.23456, 0), 1.23456);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::float32, 1), 2.44, 0),
                  static_cast<double>(2.4f));
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::int32), 41.6, 0), 42.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::int8), 1000, 0), 127.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::int8), -1000, 0), -128.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::uint16), -5, 0), 0.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::boolean), 0.7, 0), 1.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::boolean), 0.2, 0), 0.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::datetime), 5, 1700000000123), 1700000000123.0);
  CAF_CHECK_EQUAL(quantize(spec_of(sp::datatype::float64), NAN, 0), 0.0);
}

CAF_TEST(values_take_the_form_types_hpp_assigns_to_each_datatype) {
  sp::value v;
  to_metric_value(spec_of(sp::datatype::int16), -3, v);
  CAF_CHECK(std::get<int64_t>(v) == -3);
  to_metric_value(spec_of(sp::datatype::int64), 5e12, v);
  CAF_CHECK(std::get<int64_t>(v) == 5'000'000'000'000);
  to_metric_value(spec_of(sp::datatype::uint32), 7, v);
  CAF_CHECK(std::get<uint64_t>(v) == 7u);
  to_metric_value(spec_of(sp::datatype::datetime), 1700000000123.0, v);
  CAF_CHECK(std::get<uint64_t>(v) == 1700000000123u);
  to_metric_value(spec_of(sp::datatype::float32), 2.5, v);
  CAF_CHECK(std::get<float>(v) == 2.5f);
  to_metric_value(spec_of(sp::datatype::float64), 2.5, v);
  CAF_CHECK(std::get<double>(v) == 2.5);
  to_metric_value(spec_of(sp::datatype::boolean), 1, v);
  CAF_CHECK(std::get<bool>(v));
  to_metric_value(spec_of(sp::datatype::string, 1), 3.14159, v);
  CAF_CHECK_EQUAL(std::get<std::string>(v), "3.1");
  metric_spec site = spec_of(sp::datatype::text);
  site.text = "Hall A";
  to_metric_value(site, 0, v);
  CAF_CHECK_EQUAL(std::get<std::string>(v), "Hall A");
}

CAF_TEST(equal_seeds_give_equal_devices_and_different_seeds_differ) {
  auto specs = parse_metrics(R"(
    {"name":"T","datatype":"Double","signal":{"model":"random_walk","min":0,"max":100,"step":3}})");
  metric_sampler a{specs, 10};
  metric_sampler b{specs, 10};
  metric_sampler c{specs, 11};
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    a.advance(1);
    b.advance(1);
    c.advance(1);
    CAF_REQUIRE_EQUAL(a.published(0, 0), b.published(0, 0));
    differs = differs || a.published(0, 0) != c.published(0, 0);
  }
  CAF_CHECK(differs);
}

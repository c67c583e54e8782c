#define CAF_SUITE sim_signal_models
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/signal.hpp"

using namespace floe::sim;

namespace {

const signal_inputs no_inputs{};

// Runs `steps` steps of dt seconds and returns the outputs.
std::vector<double> run(const signal_spec& spec, size_t steps, double dt, uint64_t seed = 7) {
  random_source rng{seed};
  signal_state s = init_signal(spec, rng);
  std::vector<double> out;
  out.reserve(steps);
  for (size_t i = 0; i < steps; ++i)
    out.push_back(step_signal(spec, s, dt, rng, no_inputs));
  return out;
}

} // namespace

CAF_TEST(random_source_is_reproducible_and_uniform_in_unit_interval) {
  random_source a{42};
  random_source b{42};
  random_source c{43};
  bool differs = false;
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    double x = a.uniform();
    CAF_REQUIRE(x >= 0.0 && x < 1.0);
    CAF_REQUIRE_EQUAL(x, b.uniform());
    differs = differs || x != c.uniform();
    sum += x;
  }
  CAF_CHECK(differs);
  CAF_CHECK(std::abs(sum / 10000 - 0.5) < 0.02);
}

CAF_TEST(gaussian_has_zero_mean_and_unit_deviation) {
  random_source rng{3};
  double sum = 0;
  double sq = 0;
  constexpr int n = 20000;
  for (int i = 0; i < n; ++i) {
    double g = rng.gaussian();
    CAF_REQUIRE(std::isfinite(g));
    sum += g;
    sq += g * g;
  }
  CAF_CHECK(std::abs(sum / n) < 0.05);
  CAF_CHECK(std::abs(std::sqrt(sq / n) - 1.0) < 0.05);
}

CAF_TEST(constant_without_noise_never_moves) {
  for (double v : run(constant_signal{12.5, 0}, 100, 1.0))
    CAF_REQUIRE_EQUAL(v, 12.5);
}

CAF_TEST(constant_noise_scatters_around_the_value) {
  auto values = run(constant_signal{400, 1.5}, 5000, 1.0);
  double mean = 0;
  for (double v : values)
    mean += v;
  mean /= static_cast<double>(values.size());
  CAF_CHECK(std::abs(mean - 400) < 0.1);
  CAF_CHECK(*std::max_element(values.begin(), values.end()) > 402);
  CAF_CHECK(*std::min_element(values.begin(), values.end()) < 398);
}

CAF_TEST(random_walk_stays_within_bounds_and_moves) {
  random_walk_signal w{50, 5, 0.5, 0, 0, 100}; // strong drift pushes against the upper bound
  auto values = run(w, 20000, 1.0);
  for (double v : values)
    CAF_REQUIRE(v >= 0 && v <= 100);
  CAF_CHECK(*std::max_element(values.begin(), values.end()) > 95);
  CAF_CHECK(values.front() != values.back());
}

CAF_TEST(random_walk_with_reversion_hovers_near_start) {
  random_walk_signal w{-9.5, 0.03, 0, 0.02, -11.5, -7.0};
  auto values = run(w, 36000, 1.0);
  double mean = 0;
  for (double v : values)
    mean += v;
  mean /= static_cast<double>(values.size());
  CAF_CHECK(std::abs(mean + 9.5) < 0.3);
}

CAF_TEST(zero_time_step_leaves_a_random_walk_where_it_is) {
  random_source rng{1};
  random_walk_signal w{10, 1, 0, 0, 0, 20};
  signal_state s = init_signal(w, rng);
  double before = s.value;
  CAF_CHECK_EQUAL(step_signal(w, s, 0.0, rng, no_inputs), before);
  CAF_CHECK_EQUAL(step_signal(w, s, -3.0, rng, no_inputs), before);
}

CAF_TEST(sine_repeats_after_one_period_and_spans_its_amplitude) {
  sine_signal w{30, 2.5, 100, 0};
  random_source rng{5};
  signal_state s = init_signal(w, rng);
  double first = step_signal(w, s, 1.0, rng, no_inputs);
  double lo = first;
  double hi = first;
  for (int i = 0; i < 100; ++i) {
    double v = step_signal(w, s, 1.0, rng, no_inputs);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    if (i == 99)
      CAF_CHECK(std::abs(v - first) < 1e-9);
  }
  CAF_CHECK(hi > 32.4 && hi <= 32.5);
  CAF_CHECK(lo < 27.6 && lo >= 27.5);
}

CAF_TEST(sawtooth_ramps_within_range_and_counts_its_wraps) {
  sawtooth_signal w{0, 100, 60, 0};
  random_source rng{9};
  signal_state s = init_signal(w, rng);
  uint32_t wraps = 0;
  for (int i = 0; i < 600; ++i) { // ten periods
    double v = step_signal(w, s, 1.0, rng, no_inputs);
    CAF_REQUIRE(v >= 0 && v < 100);
    wraps += s.wraps;
  }
  CAF_CHECK(wraps == 10 || wraps == 9 || wraps == 11);
  // One long step over many cycles counts them all, without iterating each.
  step_signal(w, s, 60.0 * 5000, rng, no_inputs);
  CAF_CHECK(s.wraps >= 4999 && s.wraps <= 5001);
}

CAF_TEST(counter_with_rate_accumulates_time) {
  counter_signal c;
  c.start = 100;
  c.rate = 2;
  auto values = run(c, 10, 0.5);
  CAF_CHECK_EQUAL(values.back(), 110.0);
  for (size_t i = 1; i < values.size(); ++i)
    CAF_REQUIRE(values[i] >= values[i - 1]);
}

CAF_TEST(counter_integrating_power_gives_energy) {
  counter_signal energy;
  energy.by = counter_signal::source::integral;
  energy.input = 0;
  energy.scale = 1.0 / 3600; // kW * s -> kWh
  random_source rng{1};
  signal_state s = init_signal(energy, rng);
  double power_kw = 360;
  signal_inputs in{&power_kw, nullptr, 1};
  for (int i = 0; i < 3600; ++i)
    step_signal(energy, s, 1.0, rng, in);
  CAF_CHECK(std::abs(s.value - 360.0) < 1e-6);
  // A negative input never makes a counter run backwards.
  double negative = -50;
  signal_inputs back{&negative, nullptr, 1};
  step_signal(energy, s, 10.0, rng, back);
  CAF_CHECK(std::abs(s.value - 360.0) < 1e-6);
}

CAF_TEST(counter_per_wrap_counts_cycles_of_a_sawtooth) {
  sawtooth_signal freeze{0, 100, 10, 0};
  counter_signal harvests;
  harvests.by = counter_signal::source::wraps;
  harvests.input = 0;
  random_source rng{2};
  signal_state states[2] = {init_signal(freeze, rng), init_signal(harvests, rng)};
  double values[2] = {0, 0};
  uint32_t total_wraps = 0;
  for (int i = 0; i < 100; ++i) {
    values[0] = step_signal(freeze, states[0], 1.0, rng, {values, states, 0});
    total_wraps += states[0].wraps;
    values[1] = step_signal(harvests, states[1], 1.0, rng, {values, states, 1});
  }
  CAF_CHECK_EQUAL(values[1], static_cast<double>(total_wraps));
  CAF_CHECK(total_wraps >= 9 && total_wraps <= 11);
}

CAF_TEST(duty_cycle_is_on_for_its_share_of_the_time) {
  auto values = run(duty_cycle_signal{100, 0.75, 0.3}, 200000, 1.0);
  double on = 0;
  size_t switches = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    CAF_REQUIRE(values[i] == 0.0 || values[i] == 1.0);
    on += values[i];
    if (i > 0 && values[i] != values[i - 1])
      ++switches;
  }
  CAF_CHECK(std::abs(on / static_cast<double>(values.size()) - 0.75) < 0.03);
  // About two switches per 100 s cycle.
  CAF_CHECK(switches > 3000 && switches < 5000);
}

CAF_TEST(duty_cycle_extremes_are_constant) {
  for (double v : run(duty_cycle_signal{10, 1.0, 0}, 100, 1.0))
    CAF_REQUIRE_EQUAL(v, 1.0);
  for (double v : run(duty_cycle_signal{10, 0.0, 0}, 100, 1.0))
    CAF_REQUIRE_EQUAL(v, 0.0);
}

CAF_TEST(excursions_are_rare_and_reach_alarm_levels) {
  // An ammonia detector: 0.8 ppm baseline, one 300 s excursion per 20 h on average.
  excursion_signal e{0.8, 0.3, 0.05, 60, 300};
  constexpr size_t seconds = 2000 * 3600;
  random_source rng{11};
  signal_state s = init_signal(e, rng);
  size_t high = 0;
  size_t starts = 0;
  bool in_alarm = false;
  for (size_t i = 0; i < seconds; ++i) {
    double v = step_signal(e, s, 1.0, rng, no_inputs);
    if (v > 35) {
      ++high;
      if (!in_alarm)
        ++starts;
      in_alarm = true;
    } else if (v < 5) {
      in_alarm = false;
    }
  }
  // About 100 excursions (0.05/h * 2000 h); most of them peak above the 35 ppm alarm level.
  CAF_CHECK(starts > 50 && starts < 150);
  double share_high = static_cast<double>(high) / static_cast<double>(seconds);
  CAF_CHECK(share_high > 0.0 && share_high < 0.01);
}

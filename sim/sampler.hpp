#pragma once
// The evolving values of one simulated device's (or edge node's) metrics: one signal instance
// per metric, gating (`while`), lag, clamping, and conversion into the value form
// sparkplug/types.hpp assigns to each datatype. Not thread-safe: one owner (the scheduling
// thread).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/profile.hpp"
#include "sim/signal.hpp"
#include "sparkplug/types.hpp"

namespace floe::sim {

class metric_sampler {
public:
  // `specs` must outlive the sampler (it lives in the profile).
  metric_sampler(const std::vector<metric_spec>& specs, uint64_t seed);

  // Steps every metric by dt_s seconds, in definition order (a gate or counter input is
  // always an earlier metric, so it already holds this step's value).
  void advance(double dt_s);

  size_t size() const noexcept { return values_.size(); }
  const metric_spec& spec(size_t i) const { return (*specs_)[i]; }

  // The value as published, as a double: rounded to the metric's decimals, integers rounded,
  // Booleans 0/1, DateTime the sample time. Two samples publish the same value iff these are
  // equal, so report by exception compares these.
  double published(size_t i, uint64_t now_ms) const;

  // Writes metric i's current value into `out` (typed for its datatype).
  void value(size_t i, uint64_t now_ms, sparkplug::value& out) const;

private:
  double observe(const metric_spec& m, double process);

  const std::vector<metric_spec>* specs_;
  random_source rng_;
  std::vector<signal_state> active_; // the metric's signal
  std::vector<signal_state> idle_;   // its `otherwise` signal
  std::vector<double> process_;      // the signal after lag: the "true" process value
  std::vector<double> values_;       // process value + measurement noise, clamped; unrounded
};

// Converts a published double (see metric_sampler::published) into the datatype's value form.
// `text` is a String/Text metric's constant; other String/Text values are the number printed
// with `decimals` digits (2 when unset).
void to_metric_value(const metric_spec& spec, double published, sparkplug::value& out);

// Rounds the raw value the way the metric publishes it.
double quantize(const metric_spec& spec, double raw, uint64_t now_ms);

} // namespace floe::sim

#include "sim/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace floe::sim {

namespace {

using sparkplug::datatype;

struct int_range {
  double lo;
  double hi;
};

int_range range_of(datatype t) {
  switch (t) {
    case datatype::int8: return {-128, 127};
    case datatype::int16: return {-32768, 32767};
    case datatype::int32: return {-2147483648.0, 2147483647.0};
    case datatype::int64: return {-9.0e18, 9.0e18};
    case datatype::uint8: return {0, 255};
    case datatype::uint16: return {0, 65535};
    case datatype::uint32: return {0, 4294967295.0};
    case datatype::uint64: return {0, 1.8e19};
    default: return {-1.0e300, 1.0e300};
  }
}

double round_to(double v, int decimals) {
  double scale = std::pow(10.0, decimals);
  double r = std::round(v * scale) / scale;
  return std::isfinite(r) ? r : v;
}

bool is_textual(datatype t) {
  return t == datatype::string || t == datatype::text;
}

} // namespace

double quantize(const metric_spec& spec, double raw, uint64_t now_ms) {
  if (!std::isfinite(raw))
    raw = 0;
  switch (spec.type) {
    case datatype::boolean:
      return raw >= 0.5 ? 1.0 : 0.0;
    case datatype::datetime:
      return static_cast<double>(now_ms);
    case datatype::float32: {
      double v = spec.decimals ? round_to(raw, *spec.decimals) : raw;
      v = std::clamp(v, -3.4e38, 3.4e38);
      return static_cast<double>(static_cast<float>(v));
    }
    case datatype::float64:
      return spec.decimals ? round_to(raw, *spec.decimals) : raw;
    case datatype::string:
    case datatype::text:
      return spec.text ? 0.0 : round_to(raw, spec.decimals.value_or(2));
    default: {
      auto r = range_of(spec.type);
      return std::round(std::clamp(raw, r.lo, r.hi));
    }
  }
}

void to_metric_value(const metric_spec& spec, double published, sparkplug::value& out) {
  switch (spec.type) {
    case datatype::int8:
    case datatype::int16:
    case datatype::int32:
    case datatype::int64:
      out = static_cast<int64_t>(published);
      return;
    case datatype::uint8:
    case datatype::uint16:
    case datatype::uint32:
    case datatype::uint64:
    case datatype::datetime:
      out = static_cast<uint64_t>(std::max(published, 0.0));
      return;
    case datatype::float32:
      out = static_cast<float>(published);
      return;
    case datatype::float64:
      out = published;
      return;
    case datatype::boolean:
      out = published != 0.0;
      return;
    default:
      break;
  }
  if (is_textual(spec.type)) {
    if (spec.text) {
      out = *spec.text;
      return;
    }
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%.*f", spec.decimals.value_or(2), published);
    out = std::string(buf, n > 0 ? std::min<size_t>(static_cast<size_t>(n), sizeof buf - 1) : 0);
    return;
  }
  out = std::monostate{};
}

metric_sampler::metric_sampler(const std::vector<metric_spec>& specs, uint64_t seed)
  : specs_(&specs), rng_(seed) {
  size_t n = specs.size();
  active_.reserve(n);
  idle_.reserve(n);
  process_.resize(n);
  values_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const metric_spec& m = specs[i];
    active_.push_back(init_signal(m.signal, rng_));
    idle_.push_back(m.otherwise ? init_signal(*m.otherwise, rng_) : signal_state{});
    bool active = !m.gate || values_[*m.gate] >= 0.5;
    process_[i] = active || !m.otherwise ? active_[i].value : idle_[i].value;
    values_[i] = observe(m, process_[i]);
  }
}

double metric_sampler::observe(const metric_spec& m, double process) {
  double v = m.noise > 0 ? process + m.noise * rng_.gaussian() : process;
  if (m.min)
    v = std::max(v, *m.min);
  if (m.max)
    v = std::min(v, *m.max);
  return v;
}

void metric_sampler::advance(double dt_s) {
  double dt = dt_s > 0 && std::isfinite(dt_s) ? dt_s : 0.0;
  const auto& specs = *specs_;
  for (size_t i = 0; i < specs.size(); ++i) {
    const metric_spec& m = specs[i];
    signal_inputs inputs{values_.data(), active_.data(), i};
    bool active = !m.gate || values_[*m.gate] >= 0.5;
    double target;
    if (active) {
      target = step_signal(m.signal, active_[i], dt, rng_, inputs);
    } else if (m.otherwise) {
      active_[i].wraps = 0;
      target = step_signal(*m.otherwise, idle_[i], dt, rng_, inputs);
    } else {
      active_[i].wraps = 0; // a held sawtooth completes no cycle
      target = process_[i];
    }
    double v = process_[i];
    if (m.lag_s > 0 && dt > 0)
      v += (target - v) * (1 - std::exp(-dt / m.lag_s));
    else if (m.lag_s <= 0)
      v = target;
    process_[i] = v;
    values_[i] = observe(m, v);
  }
}

double metric_sampler::published(size_t i, uint64_t now_ms) const {
  return quantize((*specs_)[i], values_[i], now_ms);
}

void metric_sampler::value(size_t i, uint64_t now_ms, sparkplug::value& out) const {
  to_metric_value((*specs_)[i], published(i, now_ms), out);
}

} // namespace floe::sim

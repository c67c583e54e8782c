#include "sim/signal.hpp"

#include <algorithm>
#include <cmath>

namespace floe::sim {

namespace {

constexpr double two_pi = 6.283185307179586;

uint64_t splitmix64(uint64_t& x) noexcept {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

// Reflects x into [lo, hi] (a random walk bouncing off its bounds instead of sticking to them).
double reflect(double x, double lo, double hi) noexcept {
  if (hi <= lo)
    return lo;
  double span = hi - lo;
  double off = std::fmod(x - lo, 2 * span);
  if (off < 0)
    off += 2 * span;
  return off <= span ? lo + off : hi - (off - span);
}

double cycle_length(double period_s, double jitter, random_source& rng) {
  double factor = jitter > 0 ? rng.uniform(1 - jitter, 1 + jitter) : 1.0;
  return std::max(period_s * factor, 1e-3);
}

double duty_phase_length(const duty_cycle_signal& d, bool on, random_source& rng) {
  double share = on ? d.duty : 1 - d.duty;
  return share <= 0 ? 0.0 : cycle_length(d.period_s * share, d.jitter, rng);
}

// Shape of an excursion over its life (0 at start and end, 1 at the peak, reached after 20 %).
double excursion_shape(double elapsed_fraction) noexcept {
  constexpr double rise = 0.2;
  if (elapsed_fraction <= 0 || elapsed_fraction >= 1)
    return 0;
  return elapsed_fraction < rise ? elapsed_fraction / rise
                                 : (1 - elapsed_fraction) / (1 - rise);
}

struct initializer {
  random_source& rng;

  signal_state operator()(const constant_signal& c) const {
    signal_state s;
    s.value = c.value;
    return s;
  }
  signal_state operator()(const random_walk_signal& w) const {
    signal_state s;
    s.base = std::clamp(w.start, w.min, w.max);
    s.value = s.base;
    return s;
  }
  signal_state operator()(const sine_signal& w) const {
    signal_state s;
    s.phase = rng.uniform();
    s.value = w.offset + w.amplitude * std::sin(two_pi * s.phase);
    return s;
  }
  signal_state operator()(const sawtooth_signal& w) const {
    signal_state s;
    s.cycle_s = cycle_length(w.period_s, w.jitter, rng);
    s.phase = rng.uniform();
    s.value = w.min + (w.max - w.min) * s.phase;
    return s;
  }
  signal_state operator()(const counter_signal& c) const {
    signal_state s;
    s.base = c.start;
    s.value = c.start;
    return s;
  }
  signal_state operator()(const duty_cycle_signal& d) const {
    signal_state s;
    // Start at a random point of a cycle: on with probability `duty`, part-way through.
    s.on = rng.uniform() < d.duty;
    s.remaining_s = duty_phase_length(d, s.on, rng) * rng.uniform();
    s.value = s.on ? 1.0 : 0.0;
    return s;
  }
  signal_state operator()(const excursion_signal& e) const {
    signal_state s;
    s.value = e.baseline;
    return s;
  }
};

struct stepper {
  signal_state& s;
  double dt;
  random_source& rng;
  const signal_inputs& in;

  double input_value(size_t i) const {
    return i < in.count && in.values != nullptr ? in.values[i] : 0.0;
  }
  uint32_t input_wraps(size_t i) const {
    return i < in.count && in.states != nullptr ? in.states[i].wraps : 0;
  }

  double operator()(const constant_signal& c) const {
    return c.noise > 0 ? c.value + c.noise * rng.gaussian() : c.value;
  }
  double operator()(const random_walk_signal& w) const {
    double x = s.base + w.drift * dt - w.revert * (s.base - w.start) * dt;
    if (w.step > 0 && dt > 0)
      x += w.step * std::sqrt(dt) * rng.gaussian();
    s.base = reflect(x, w.min, w.max);
    return s.base;
  }
  double operator()(const sine_signal& w) const {
    s.phase = std::fmod(s.phase + dt / w.period_s, 1.0);
    double v = w.offset + w.amplitude * std::sin(two_pi * s.phase);
    return w.noise > 0 ? v + w.noise * rng.gaussian() : v;
  }
  double operator()(const sawtooth_signal& w) const {
    s.wraps = 0;
    double left = dt;
    // A long pause (an edge node offline for hours) must not cost millions of iterations.
    constexpr double many_cycles = 1000;
    if (left > many_cycles * w.period_s) {
      double skipped = std::floor(left / w.period_s) - 1;
      s.wraps += static_cast<uint32_t>(std::min(skipped, 4.0e9));
      left -= skipped * w.period_s;
    }
    // Walk through as many cycle ends as dt covers; each new cycle gets its own length.
    while (left > 0) {
      double to_end = (1 - s.phase) * s.cycle_s;
      if (left < to_end) {
        s.phase += left / s.cycle_s;
        break;
      }
      left -= to_end;
      s.phase = 0;
      ++s.wraps;
      s.cycle_s = cycle_length(w.period_s, w.jitter, rng);
    }
    return w.min + (w.max - w.min) * s.phase;
  }
  double operator()(const counter_signal& c) const {
    double increment = 0;
    switch (c.by) {
      case counter_signal::source::clock:
        increment = c.rate * dt;
        break;
      case counter_signal::source::integral:
        increment = c.scale * input_value(c.input) * dt;
        break;
      case counter_signal::source::wraps:
        increment = c.scale * input_wraps(c.input);
        break;
    }
    // Counters never run backwards, whatever the input does.
    s.base += std::max(increment, 0.0);
    return s.base;
  }
  double operator()(const duty_cycle_signal& d) const {
    if (d.duty >= 1) {
      s.on = true;
      return 1.0;
    }
    if (d.duty <= 0) {
      s.on = false;
      return 0.0;
    }
    s.remaining_s -= dt;
    constexpr double many_cycles = 1000;
    if (s.remaining_s < -many_cycles * d.period_s)
      s.remaining_s = std::fmod(s.remaining_s, d.period_s);
    while (s.remaining_s <= 0) {
      s.on = !s.on;
      s.remaining_s += duty_phase_length(d, s.on, rng);
    }
    return s.on ? 1.0 : 0.0;
  }
  double operator()(const excursion_signal& e) const {
    if (s.remaining_s > 0) {
      s.remaining_s -= dt;
    } else if (e.per_hour > 0 && dt > 0) {
      double p = 1 - std::exp(-e.per_hour * dt / 3600.0);
      if (rng.uniform() < p) {
        s.remaining_s = e.duration_s;
        s.excursion_peak = e.peak * rng.uniform(0.5, 1.5);
      }
    }
    double v = e.baseline;
    if (s.remaining_s > 0 && e.duration_s > 0)
      v += s.excursion_peak * excursion_shape(1 - s.remaining_s / e.duration_s);
    return e.noise > 0 ? v + e.noise * rng.gaussian() : v;
  }
};

} // namespace

random_source::random_source(uint64_t seed) noexcept {
  uint64_t x = seed;
  for (auto& word : s_)
    word = splitmix64(x);
}

uint64_t random_source::next() noexcept {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double random_source::uniform() noexcept {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double random_source::gaussian() noexcept {
  // Box-Muller; 1 - uniform() lies in (0, 1], so the logarithm is finite.
  double u1 = 1.0 - uniform();
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
}

uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c) noexcept {
  uint64_t x = a;
  uint64_t h = splitmix64(x);
  x = h ^ b;
  h = splitmix64(x);
  x = h ^ c;
  return splitmix64(x);
}

signal_state init_signal(const signal_spec& spec, random_source& rng) {
  return std::visit(initializer{rng}, spec);
}

double step_signal(const signal_spec& spec, signal_state& state, double dt_s, random_source& rng,
                   const signal_inputs& inputs) {
  double dt = dt_s > 0 && std::isfinite(dt_s) ? dt_s : 0.0;
  state.value = std::visit(stepper{state, dt, rng, inputs}, spec);
  return state.value;
}

} // namespace floe::sim

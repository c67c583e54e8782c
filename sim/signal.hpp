#pragma once
// Signal models of floe-sim: how one simulated measurement evolves over time. A model is a plain
// description (parsed from a profile); its evolving state lives in signal_state, one per metric
// and device, and step_signal() advances it by an elapsed time. Everything here is pure and
// deterministic for a given random_source seed and sequence of time steps.

#include <cstddef>
#include <cstdint>
#include <variant>

namespace floe::sim {

// Small, fast PRNG (xoshiro256**), seeded through splitmix64. 32 bytes of state, so every
// simulated device can own one; std::mt19937_64 would take 2.5 KB per device.
class random_source {
public:
  explicit random_source(uint64_t seed) noexcept;
  uint64_t next() noexcept;
  // Uniform in [0, 1).
  double uniform() noexcept;
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  // Standard normal (mean 0, standard deviation 1).
  double gaussian() noexcept;

private:
  uint64_t s_[4];
};

// Mixes several numbers into one seed (for per-node, per-device generators).
uint64_t mix_seed(uint64_t a, uint64_t b, uint64_t c = 0) noexcept;

// value + gaussian noise (standard deviation `noise`, in the metric's unit). A constant with a
// string value (String/Text metrics) lives in metric_spec::text instead.
struct constant_signal {
  double value = 0;
  double noise = 0;
};

// Brownian motion with drift and mean reversion, reflected into [min, max].
// Per step of dt seconds: x += drift*dt - revert*(x - start)*dt + step*sqrt(dt)*N(0,1).
struct random_walk_signal {
  double start = 0;  // initial value and reversion target
  double step = 0;   // standard deviation per sqrt(second)
  double drift = 0;  // per second
  double revert = 0; // pull towards start, fraction of the distance per second
  double min = 0;
  double max = 0;
};

// offset + amplitude * sin(2*pi*t/period) + noise; each instance starts at a random phase.
struct sine_signal {
  double offset = 0;
  double amplitude = 0;
  double period_s = 0;
  double noise = 0;
};

// Linear ramp from min to max over one cycle, then back to min (a batch process: freezing,
// filling). Each cycle lasts period_s * (1 +- jitter).
struct sawtooth_signal {
  double min = 0;
  double max = 0;
  double period_s = 0;
  double jitter = 0; // 0..1
};

// Monotonic counter. Increments by `rate` per second (source clock), by scale * the value of an
// earlier metric per second (source integral: kWh from kW), or by scale per completed cycle of
// an earlier sawtooth metric (source wraps: harvests per freeze cycle).
struct counter_signal {
  enum class source : uint8_t { clock, integral, wraps };
  double start = 0;
  double rate = 0; // per second (clock)
  source by = source::clock;
  size_t input = 0; // metric index (integral, wraps); must precede the counter
  double scale = 1; // multiplier on the input
};

// Boolean on/off cycle: on for duty * period, off for the rest; each phase length varies by
// +-jitter (fraction). Output 1 (on) or 0 (off). Compressors, pumps, defrost heaters.
struct duty_cycle_signal {
  double period_s = 0;
  double duty = 0.5;  // 0..1
  double jitter = 0;  // 0..1
};

// Near a baseline (with noise) most of the time; rare excursions (Poisson, `per_hour` on average)
// rise to about `peak` above the baseline and decay over duration_s. Gas leak detectors.
struct excursion_signal {
  double baseline = 0;
  double noise = 0;
  double per_hour = 0;
  double peak = 0;
  double duration_s = 0;
};

using signal_spec = std::variant<constant_signal, random_walk_signal, sine_signal, sawtooth_signal,
                                 counter_signal, duty_cycle_signal, excursion_signal>;

// Evolving state of one signal instance.
struct signal_state {
  double value = 0;         // latest output
  double base = 0;          // random walk, counter: the unrounded running value
  double phase = 0;         // sine, sawtooth: position in the current cycle (0..1)
  double cycle_s = 0;       // sawtooth: length of the current cycle (s)
  double remaining_s = 0;   // duty cycle: time left in the current phase (s); excursion: left (s)
  double excursion_peak = 0;
  bool on = false;          // duty cycle
  uint32_t wraps = 0;       // sawtooth: cycles completed in the latest step
};

// What a signal may read besides its own state: this step's outputs of the earlier metrics of
// the same device (`values`) and the wraps of earlier sawtooth metrics.
struct signal_inputs {
  const double* values = nullptr;
  const signal_state* states = nullptr;
  size_t count = 0;
};

// A fresh instance: random phase / position in the cycle so that devices are not in lockstep.
signal_state init_signal(const signal_spec& spec, random_source& rng);

// Advances `state` by dt_s seconds (>= 0) and returns the new output (also state.value).
double step_signal(const signal_spec& spec, signal_state& state, double dt_s, random_source& rng,
                   const signal_inputs& inputs);

} // namespace floe::sim

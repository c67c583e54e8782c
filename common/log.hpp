#pragma once
// Minimal line logger for floe's programs: "2026-12-01T18:00:00.123Z WARN  store: text" on
// stderr, one fprintf per line (lines of concurrent threads never interleave). CAF's own logger
// is compiled out of Debian's libcaf, so floe logs through this.
// Thread-safe. The level is process-wide; set it once at start-up.

#include <atomic>
#include <cstdarg>
#include <cstdint>

namespace floe::log {

enum class level : uint8_t { debug, info, warn, error, off };

void set_level(level l) noexcept;
level current_level() noexcept;
bool parse_level(const char* text, level& out) noexcept;

void write(level l, const char* component, const char* format, ...)
  __attribute__((format(printf, 3, 4)));
void vwrite(level l, const char* component, const char* format, va_list args);

#define FLOE_LOG_FN(fn, lvl)                                                          \
  inline void fn(const char* component, const char* format, ...)                     \
    __attribute__((format(printf, 2, 3)));                                           \
  inline void fn(const char* component, const char* format, ...) {                   \
    if (current_level() > lvl)                                                        \
      return;                                                                         \
    va_list args;                                                                     \
    va_start(args, format);                                                           \
    vwrite(lvl, component, format, args);                                             \
    va_end(args);                                                                     \
  }
FLOE_LOG_FN(debug, level::debug)
FLOE_LOG_FN(info, level::info)
FLOE_LOG_FN(warn, level::warn)
FLOE_LOG_FN(error, level::error)
#undef FLOE_LOG_FN

// Lets one call site through at most once per `interval_ms` and counts what it held back:
//   static log::throttle t{5000};
//   if (auto skipped = t.pass(now_ms)) log::warn("x", "... (%llu similar skipped)", *skipped - 1);
// pass() returns 0 when the line should be suppressed, else 1 + the number suppressed since the
// last line. Thread-safe.
class throttle {
public:
  explicit throttle(int64_t interval_ms) : interval_ms_(interval_ms) {}
  uint64_t pass(int64_t now_ms) noexcept;

private:
  int64_t interval_ms_;
  std::atomic<int64_t> last_ms_{INT64_MIN};
  std::atomic<uint64_t> suppressed_{0};
};

} // namespace floe::log

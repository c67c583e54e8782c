#include "common/log.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

namespace floe::log {

namespace {
std::atomic<level> global_level{level::info};

const char* name_of(level l) {
  switch (l) {
    case level::debug: return "DEBUG";
    case level::info: return "INFO ";
    case level::warn: return "WARN ";
    case level::error: return "ERROR";
    case level::off: break;
  }
  return "?    ";
}
} // namespace

void set_level(level l) noexcept { global_level.store(l, std::memory_order_relaxed); }
level current_level() noexcept { return global_level.load(std::memory_order_relaxed); }

bool parse_level(const char* text, level& out) noexcept {
  static const std::pair<const char*, level> names[] = {{"debug", level::debug},
                                                         {"info", level::info},
                                                         {"warn", level::warn},
                                                         {"error", level::error},
                                                         {"off", level::off}};
  for (auto& [n, l] : names)
    if (std::strcmp(text, n) == 0) {
      out = l;
      return true;
    }
  return false;
}

void vwrite(level l, const char* component, const char* format, va_list args) {
  char text[2048];
  std::vsnprintf(text, sizeof text, format, args);
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03dZ %s %s: %s\n", stamp, static_cast<int>(ms % 1000), name_of(l),
               component, text);
}

void write(level l, const char* component, const char* format, ...) {
  if (current_level() > l)
    return;
  va_list args;
  va_start(args, format);
  vwrite(l, component, format, args);
  va_end(args);
}

uint64_t throttle::pass(int64_t now_ms) noexcept {
  auto last = last_ms_.load(std::memory_order_relaxed);
  if (last != INT64_MIN && now_ms - last < interval_ms_) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  if (!last_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) {
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  return 1 + suppressed_.exchange(0, std::memory_order_relaxed);
}

} // namespace floe::log

#include "actors/alarms/reading.hpp"

#include <cstdint>
#include <type_traits>

namespace floe::alarms {

std::optional<double> reading_of(const sparkplug::value& v) noexcept {
  return std::visit(
    [](const auto& x) -> std::optional<double> {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, bool>)
        return x ? 1.0 : 0.0;
      else if constexpr (std::is_arithmetic_v<T>)
        return static_cast<double>(x);
      else
        return std::nullopt;
    },
    v);
}

} // namespace floe::alarms

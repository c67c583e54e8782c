#pragma once
// Turns a Sparkplug metric value into the reading alarm rules judge. Kept apart from
// series_alarms.hpp so the engine itself does not depend on the Sparkplug model.

#include <optional>

#include "sparkplug/types.hpp"

namespace floe::alarms {

// Integers, Float, Double and DateTime as double (64-bit integers may round); Boolean as 0/1;
// nullopt for null, strings, bytes, arrays, DataSets and templates.
std::optional<double> reading_of(const sparkplug::value& v) noexcept;

} // namespace floe::alarms

#pragma once
// How a typed Sparkplug metric value becomes a stored point, a window sample and a display
// string. Pure functions; no CAF.

#include <optional>
#include <string>

#include "actors/windows/window_types.hpp"
#include "sparkplug/types.hpp"
#include "store/values.hpp"

namespace floe::host {

// Scalars become stored values (integers widen, Float and Double become double, String, Text
// and UUID become strings, Bytes and File bytes, null monostate). Arrays, DataSets and
// Templates are not points: nullopt (their current value is still kept by the device actor).
std::optional<store::stored_value> stored_value_of(const sparkplug::value& v,
                                                   sparkplug::datatype type);

// The window kind of a datatype: integers, Float, Double -> numeric; Boolean -> boolean;
// String/Text -> string; anything else (DateTime, UUID, bytes, arrays, ...) is not windowed.
std::optional<windows::value_kind> window_kind_of(sparkplug::datatype type);

// Fills the value fields of `s` from `v`; false when `v` does not fit `kind` (e.g. null).
bool fill_sample(windows::sample& s, windows::value_kind kind, const sparkplug::value& v);

// A short human-readable rendering: numbers as they are, strings quoted only in containers,
// arrays as "[1, 2, 3]" (at most 16 elements, then "…"), DataSets as "dataset 3x4", Templates
// as "template <ref> (n members)", null as "null".
std::string render_value(const sparkplug::value& v);
// Shortest text that reads back as the same number; a double that is exactly a float (a
// Sparkplug Float widened on its way through the store) is written as that float ("94.2",
// not "94.19999694824219").
std::string number_text(double d);
std::string number_text(float f);
std::string render_property(const sparkplug::property_value& p);
// A stored point's value, rendered like the metric value it came from.
std::string render_stored_value(const store::stored_value& v);

} // namespace floe::host

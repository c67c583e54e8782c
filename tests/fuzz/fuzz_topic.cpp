// libFuzzer target: Sparkplug topic parsing.
// Invariants: parse_topic never crashes; an accepted topic formats back to the same text, its
// ids pass validate_id and its views point into the input; a rejected one has a detail.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sparkplug/topic.hpp"

using namespace floe::sparkplug;

namespace {

bool inside(std::string_view part, std::string_view whole) {
  return part.empty()
         || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool valid_if_present(std::string_view id) {
  return id.empty() || validate_id(id).has_value();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void) validate_id(text);
  auto t = parse_topic(text);
  if (!t) {
    if (t.error().detail.empty())
      __builtin_trap();
    return 0;
  }
  if (format_topic(*t) != text)
    __builtin_trap();
  for (auto id : {t->group_id, t->edge_node_id, t->device_id, t->host_id})
    if (!inside(id, text) || !valid_if_present(id))
      __builtin_trap();
  if (t->type == message_type::state ? t->host_id.empty() : t->edge_node_id.empty())
    __builtin_trap();
  topic owned{*t};
  if (!t->legacy_state && format_topic(owned.view()) != text)
    __builtin_trap();
  return 0;
}

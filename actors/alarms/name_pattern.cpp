#include "actors/alarms/name_pattern.hpp"

#include <algorithm>

namespace floe::alarms {

name_pattern::name_pattern() : text_("*") {}

name_pattern::name_pattern(std::string_view text) : text_(text) {
  literal_ = text.find('*') == std::string_view::npos;
  if (literal_)
    return;
  anchored_front_ = text.front() != '*';
  anchored_back_ = text.back() != '*';
  size_t pos = 0;
  while (pos < text.size()) {
    auto star = text.find('*', pos);
    if (star == std::string_view::npos)
      star = text.size();
    if (star > pos)
      pieces_.emplace_back(text.substr(pos, star - pos));
    pos = star + 1;
  }
}

bool name_pattern::matches(std::string_view name) const noexcept {
  if (literal_)
    return name == text_;
  size_t first = 0;
  size_t last = pieces_.size(); // one past the pieces left for the unanchored search
  size_t pos = 0;
  size_t end = name.size();
  if (anchored_front_) {
    const auto& p = pieces_.front();
    if (name.substr(0, p.size()) != p)
      return false;
    pos = p.size();
    ++first;
  }
  if (anchored_back_) {
    const auto& p = pieces_.back();
    // The suffix must not overlap the prefix already consumed.
    if (name.size() < pos + p.size() || name.substr(name.size() - p.size()) != p)
      return false;
    end = name.size() - p.size();
    --last;
  }
  // Leftmost placement of each middle piece leaves the most room for the rest, so a greedy
  // scan is exact for patterns whose only metacharacter is `*`.
  auto window = name.substr(0, end);
  for (size_t i = first; i < last; ++i) {
    auto found = window.find(pieces_[i], pos);
    if (found == std::string_view::npos)
      return false;
    pos = found + pieces_[i].size();
  }
  return true;
}

bool name_patterns::matches(std::string_view name) const noexcept {
  if (patterns_.empty())
    return true;
  return std::any_of(patterns_.begin(), patterns_.end(),
                     [name](const name_pattern& p) { return p.matches(name); });
}

bool name_patterns::matches_everything() const noexcept {
  return patterns_.empty()
         || std::any_of(patterns_.begin(), patterns_.end(),
                        [](const name_pattern& p) { return p.matches_everything(); });
}

bool name_patterns::all_literal() const noexcept {
  return !patterns_.empty()
         && std::all_of(patterns_.begin(), patterns_.end(),
                        [](const name_pattern& p) { return p.is_literal(); });
}

} // namespace floe::alarms

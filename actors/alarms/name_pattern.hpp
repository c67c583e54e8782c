#pragma once
// A name pattern of alarm rules: literal text where `*` stands for any run of characters,
// including none. There is no escape: a rule cannot match a literal `*`. Compiled once when a
// rule set is loaded; matching allocates nothing.

#include <string>
#include <string_view>
#include <vector>

namespace floe::alarms {

class name_pattern {
public:
  // Matches everything ("*").
  name_pattern();
  explicit name_pattern(std::string_view text);

  bool matches(std::string_view name) const noexcept;
  // No `*`: matches exactly text().
  bool is_literal() const noexcept { return literal_; }
  bool matches_everything() const noexcept { return !literal_ && pieces_.empty(); }
  const std::string& text() const noexcept { return text_; }

private:
  std::string text_;
  bool literal_ = false;
  bool anchored_front_ = false; // pattern does not start with `*`
  bool anchored_back_ = false;  // pattern does not end with `*`
  std::vector<std::string> pieces_; // non-empty literal runs between stars, in order
};

// Any-of list of patterns; an empty list matches everything.
class name_patterns {
public:
  name_patterns() = default;
  explicit name_patterns(std::vector<name_pattern> patterns) : patterns_(std::move(patterns)) {}

  bool matches(std::string_view name) const noexcept;
  bool matches_everything() const noexcept;
  // Every pattern is literal (and there is at least one): the names can index the rule.
  bool all_literal() const noexcept;
  const std::vector<name_pattern>& patterns() const noexcept { return patterns_; }

private:
  std::vector<name_pattern> patterns_;
};

} // namespace floe::alarms

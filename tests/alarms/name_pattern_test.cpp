#define CAF_SUITE alarm_name_pattern
#include <caf/test/unit_test.hpp>

#include "actors/alarms/name_pattern.hpp"

using floe::alarms::name_pattern;
using floe::alarms::name_patterns;

CAF_TEST(literal_pattern_matches_only_itself) {
  name_pattern p{"ppm"};
  CAF_CHECK(p.is_literal());
  CAF_CHECK(p.matches("ppm"));
  CAF_CHECK(!p.matches("ppm2"));
  CAF_CHECK(!p.matches("pp"));
  CAF_CHECK(!p.matches(""));
  name_pattern empty{""};
  CAF_CHECK(empty.matches(""));
  CAF_CHECK(!empty.matches("x"));
}

CAF_TEST(star_matches_any_run_including_none) {
  CAF_CHECK(name_pattern{"*"}.matches(""));
  CAF_CHECK(name_pattern{"*"}.matches("anything/at all"));
  CAF_CHECK(name_pattern{"**"}.matches_everything());
  name_pattern prefix{"compressor-*"};
  CAF_CHECK(prefix.matches("compressor-"));
  CAF_CHECK(prefix.matches("compressor-12"));
  CAF_CHECK(!prefix.matches("compressor"));
  name_pattern suffix{"*_bar"};
  CAF_CHECK(suffix.matches("suction_pressure_bar"));
  CAF_CHECK(!suffix.matches("suction_pressure_bar2"));
  name_pattern infix{"*pressure*"};
  CAF_CHECK(infix.matches("pressure"));
  CAF_CHECK(infix.matches("discharge_pressure_bar"));
  CAF_CHECK(!infix.matches("pressur"));
}

CAF_TEST(anchored_pieces_do_not_overlap) {
  name_pattern p{"ab*ba"};
  CAF_CHECK(!p.matches("aba")); // "ab" and "ba" would share the middle 'b'
  CAF_CHECK(p.matches("abba"));
  CAF_CHECK(p.matches("ab-x-ba"));
  name_pattern q{"a*a"};
  CAF_CHECK(!q.matches("a"));
  CAF_CHECK(q.matches("aa"));
}

CAF_TEST(middle_pieces_are_found_in_order) {
  name_pattern p{"*a*b*c*"};
  CAF_CHECK(p.matches("abc"));
  CAF_CHECK(p.matches("xxaxxbxxcxx"));
  CAF_CHECK(!p.matches("cba"));
  name_pattern q{"g*/*x"};
  CAF_CHECK(q.matches("grp/sub/x"));
  CAF_CHECK(!q.matches("grp/sub/y"));
  // The suffix must be found after the middle pieces, not before them.
  name_pattern r{"a*bc*c"};
  CAF_CHECK(r.matches("abcc"));
  CAF_CHECK(!r.matches("abc"));
}

CAF_TEST(pattern_lists_are_any_of_and_empty_lists_match_everything) {
  name_patterns none;
  CAF_CHECK(none.matches("whatever"));
  CAF_CHECK(none.matches_everything());
  CAF_CHECK(!none.all_literal());
  name_patterns list{{name_pattern{"ppm"}, name_pattern{"kw"}}};
  CAF_CHECK(list.all_literal());
  CAF_CHECK(list.matches("kw"));
  CAF_CHECK(!list.matches("kwh"));
  name_patterns mixed{{name_pattern{"ppm"}, name_pattern{"*_c"}}};
  CAF_CHECK(!mixed.all_literal());
  CAF_CHECK(mixed.matches("temperature_c"));
}

#define CAF_SUITE series_name_table
#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

#include "store/series_name_table.hpp"

using namespace floe::store;

namespace {

std::string name_of_series(size_t i) {
  return "plant/edge-" + std::to_string(i / 1000) + "/device-" + std::to_string(i % 1000)
         + "/metric-" + std::to_string(i % 10);
}

} // namespace

CAF_TEST(every name is found by its id and every id by its name past many chunks) {
  series_name_table t;
  constexpr size_t n = 20'000; // about 760 KiB of names: a dozen chunks, index grown 9 times
  for (size_t i = 0; i < n; ++i)
    CAF_REQUIRE(t.insert(static_cast<series_id>(first_series_id + i), name_of_series(i)));
  CAF_CHECK_EQUAL(t.size(), n);
  for (size_t i = 0; i < n; i += 7) {
    auto id = static_cast<series_id>(first_series_id + i);
    CAF_CHECK_EQUAL(t.find(name_of_series(i)), id);
    auto name = t.name_of(id);
    CAF_REQUIRE(name.has_value());
    CAF_CHECK_EQUAL(std::string(*name), name_of_series(i));
  }
  CAF_CHECK(!t.find("plant/edge-0/device-0/metric-1").has_value()); // parts of two names
  CAF_CHECK(!t.find("").has_value());
  CAF_CHECK(!t.name_of(static_cast<series_id>(first_series_id + n)).has_value());
  CAF_CHECK(!t.name_of(0).has_value());
}

CAF_TEST(a taken id or name is refused and leaves the table as it was) {
  series_name_table t;
  CAF_REQUIRE(t.insert(5, "g/e/d/a"));
  CAF_CHECK(!t.insert(5, "g/e/d/b"));
  CAF_CHECK(!t.insert(6, "g/e/d/a"));
  CAF_CHECK_EQUAL(t.size(), 1u);
  CAF_CHECK_EQUAL(t.find("g/e/d/a"), series_id{5});
  CAF_CHECK(!t.find("g/e/d/b").has_value());
  CAF_CHECK(!t.name_of(6).has_value());
}

CAF_TEST(ids arrive in any order and gaps are not assigned) {
  series_name_table t;
  CAF_REQUIRE(t.insert(30, "c"));
  CAF_REQUIRE(t.insert(2, "a"));
  CAF_REQUIRE(t.insert(17, "b"));
  std::vector<std::pair<series_id, std::string>> seen;
  t.for_each([&](series_id id, std::string_view name) { seen.emplace_back(id, name); });
  CAF_REQUIRE_EQUAL(seen.size(), 3u);
  CAF_CHECK_EQUAL(seen[0].first, series_id{2});
  CAF_CHECK_EQUAL(seen[1].first, series_id{17});
  CAF_CHECK_EQUAL(seen[2].second, "c");
  CAF_CHECK(!t.name_of(3).has_value());
}

CAF_TEST(an id far past the highest and invalid ids are refused) {
  series_name_table t;
  CAF_CHECK(!t.insert(0, "zero"));
  CAF_CHECK(!t.insert(max_series_id + 1, "past the id space"));
  CAF_CHECK(!t.insert(static_cast<series_id>(first_series_id + series_name_table::max_id_jump),
                      "a damaged id"));
  CAF_CHECK(t.insert(static_cast<series_id>(first_series_id + series_name_table::max_id_jump - 1),
                     "the farthest plausible id"));
  CAF_CHECK_EQUAL(t.size(), 1u);
}

CAF_TEST(names of every length up to the limit keep their bytes) {
  series_name_table t;
  std::string big(65'535, 'x');
  big[0] = 'a';
  big.back() = 'z';
  std::string with_nul("g/e/d/\0m", 8);
  CAF_REQUIRE(t.insert(1, "g"));
  CAF_REQUIRE(t.insert(2, big));
  CAF_REQUIRE(t.insert(3, with_nul));
  CAF_REQUIRE(t.insert(4, "after the big one"));
  CAF_CHECK(!t.insert(5, std::string(65'536, 'y')));
  CAF_CHECK_EQUAL(std::string(*t.name_of(2)), big);
  CAF_CHECK_EQUAL(std::string(*t.name_of(3)), with_nul);
  CAF_CHECK_EQUAL(t.find(with_nul), series_id{3});
  CAF_CHECK_EQUAL(t.find("after the big one"), series_id{4});
  CAF_CHECK_EQUAL(t.find("g"), series_id{1});
}

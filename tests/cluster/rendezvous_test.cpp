#define CAF_SUITE cluster_rendezvous
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "actors/cluster/rendezvous.hpp"

using namespace floe::cluster;

namespace {

std::vector<std::string> keys(size_t n, const std::string& group = "plant") {
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string id = std::to_string(i);
    id.insert(0, id.size() < 5 ? 5 - id.size() : 0, '0'); // edge-00042
    out.push_back(edge_node_key(group, "edge-" + id));
  }
  return out;
}

std::map<std::string, std::string> owners(const std::vector<std::string>& ks,
                                          const std::vector<std::string>& members) {
  std::map<std::string, std::string> out;
  for (const auto& k : ks)
    out[k] = std::string(owner_of(k, members));
  return out;
}

std::map<std::string, size_t> counts(const std::map<std::string, std::string>& by_key) {
  std::map<std::string, size_t> out;
  for (const auto& [k, m] : by_key)
    ++out[m];
  return out;
}

const std::vector<std::string> five = {"10.0.0.1:4711", "10.0.0.2:4711", "10.0.0.3:4711",
                                       "10.0.0.4:4711", "10.0.0.5:4711"};

} // namespace

// Members of every build must compute the same owners: the hash is pinned to published test
// vectors (FNV-1a 64, splitmix64) and to two weights. If this test fails, the placement changed
// and members of different versions would disagree (needs a full cluster restart).
CAF_TEST(the_hash_is_fixed_and_platform_independent) {
  static_assert(fnv1a64("") == 0xcbf29ce484222325ULL);
  static_assert(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  static_assert(fnv1a64("foobar") == 0x85944171f73967e8ULL);
  static_assert(mix64(0x9e3779b97f4a7c15ULL) == 0xe220a8397b1dcdafULL); // splitmix64(0), 1st
  CAF_CHECK_EQUAL(rendezvous_weight("127.0.0.1:4711", "plant/edge-01"), 0x234066e611f82f2cULL);
  CAF_CHECK_EQUAL(rendezvous_weight("10.0.0.2:4711", "floe-sim/edge-0042"),
                  0x355d629b43e6c106ULL);
  // Bytes >= 0x80 hash as unsigned whatever the signedness of char.
  CAF_CHECK_EQUAL(fnv1a64("\xc3\xa9"), (((0xcbf29ce484222325ULL ^ 0xc3) * 0x100000001b3ULL) ^ 0xa9)
                                         * 0x100000001b3ULL);
}

CAF_TEST(edge_node_key_joins_group_and_edge_with_a_slash) {
  CAF_CHECK_EQUAL(edge_node_key("plant", "edge-01"), "plant/edge-01");
}

CAF_TEST(owner_does_not_depend_on_member_order_or_duplicates) {
  auto ks = keys(500);
  auto base = owners(ks, five);
  auto shuffled = five;
  std::reverse(shuffled.begin(), shuffled.end());
  std::rotate(shuffled.begin(), shuffled.begin() + 2, shuffled.end());
  shuffled.push_back(five[1]);
  CAF_CHECK(owners(ks, shuffled) == base);
  rendezvous_table table(shuffled);
  CAF_CHECK_EQUAL(table.members(), five);
  for (const auto& k : ks)
    CAF_CHECK_EQUAL(std::string(table.owner_of(k)), base[k]);
}

CAF_TEST(no_members_means_no_owner) {
  CAF_CHECK(owner_of("plant/edge-01", {}).empty());
  CAF_CHECK(rendezvous_table{}.owner_of("plant/edge-01").empty());
  CAF_CHECK(rendezvous_table({"", ""}).empty());
  CAF_CHECK_EQUAL(std::string(owner_of("plant/edge-01", {"", "a:1"})), "a:1");
}

CAF_TEST(a_single_member_owns_everything) {
  for (const auto& k : keys(100))
    CAF_CHECK_EQUAL(std::string(owner_of(k, {"only:1"})), "only:1");
}

CAF_TEST(a_leaving_member_moves_only_its_own_edge_nodes) {
  auto ks = keys(3000);
  auto before = owners(ks, five);
  for (const auto& leaver : five) {
    auto rest = five;
    rest.erase(std::find(rest.begin(), rest.end(), leaver));
    auto after = owners(ks, rest);
    size_t moved = 0;
    std::map<std::string, size_t> receivers;
    for (const auto& k : ks) {
      if (before[k] != leaver) {
        CAF_CHECK_EQUAL(after[k], before[k]);
      } else {
        ++moved;
        ++receivers[after[k]];
      }
    }
    CAF_CHECK_EQUAL(moved, counts(before)[leaver]);
    // The leaver's edge nodes spread over all survivors, not onto one neighbour.
    CAF_CHECK_EQUAL(receivers.size(), 4u);
    for (const auto& [m, n] : receivers)
      CAF_CHECK_GREATER(n, moved / 8);
  }
}

CAF_TEST(a_joining_member_takes_edge_nodes_only_for_itself) {
  auto ks = keys(3000);
  auto four = std::vector<std::string>(five.begin(), five.end() - 1);
  auto before = owners(ks, four);
  auto after = owners(ks, five);
  size_t taken = 0;
  for (const auto& k : ks) {
    if (after[k] != before[k]) {
      CAF_CHECK_EQUAL(after[k], five.back());
      ++taken;
    }
  }
  CAF_CHECK_EQUAL(taken, counts(after)[five.back()]);
}

CAF_TEST(a_rejoining_member_takes_back_exactly_its_edge_nodes) {
  auto ks = keys(2000);
  auto before = owners(ks, five);
  auto rest = five;
  rest.erase(rest.begin() + 2);
  CAF_CHECK(owners(ks, rest) != before);
  CAF_CHECK(owners(ks, five) == before);
}

CAF_TEST(spread_over_3_members_is_within_20_percent_of_even_for_3000_edge_nodes) {
  std::vector<std::string> three = {"127.0.0.1:4711", "127.0.0.1:4712", "127.0.0.1:4713"};
  for (const auto& group : {"plant", "floe-sim", "g"}) {
    auto c = counts(owners(keys(3000, group), three));
    CAF_REQUIRE_EQUAL(c.size(), 3u);
    for (const auto& [m, n] : c) {
      CAF_MESSAGE(group << ": " << m << " owns " << n);
      CAF_CHECK_GREATER_OR_EQUAL(n, 800u);
      CAF_CHECK_LESS_OR_EQUAL(n, 1200u);
    }
  }
}

CAF_TEST(spread_over_7_members_is_within_20_percent_of_even_for_7000_edge_nodes) {
  std::vector<std::string> seven;
  for (int i = 1; i <= 7; ++i)
    seven.push_back("member-" + std::to_string(i) + ":4711");
  auto c = counts(owners(keys(7000), seven));
  CAF_REQUIRE_EQUAL(c.size(), 7u);
  for (const auto& [m, n] : c) {
    CAF_CHECK_GREATER_OR_EQUAL(n, 800u);
    CAF_CHECK_LESS_OR_EQUAL(n, 1200u);
  }
}

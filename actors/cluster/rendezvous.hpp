#pragma once
// Rendezvous (highest random weight) placement of edge nodes on cluster members.
// Every member computes the owner of an edge node on its own, from the same member list, and
// all must agree: the hash is therefore written out here and fixed (never std::hash, whose
// values differ between standard libraries and builds). Changing any constant below changes
// the owner of most edge nodes; members of different floe versions would then disagree, so a
// change needs a full cluster restart (the test cluster_rendezvous pins the values).
//
// Hash (64-bit, byte-wise, independent of platform, endianness and char signedness):
//   fnv1a64(s)    FNV-1a: h = 0xcbf29ce484222325; per byte h = (h ^ byte) * 0x100000001b3
//   mix64(z)      splitmix64 finaliser (Stafford variant 13):
//                 z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9; z = (z ^ z >> 27) * 0x94d049bb133111eb;
//                 z ^ z >> 31
//   member_hash   mix64(fnv1a64(member id))
//   key_hash      mix64(fnv1a64(key) + 0x9e3779b97f4a7c15)
//   weight        mix64(member_hash ^ key_hash)
// The owner of a key is the member with the highest weight; equal weights (only if two member
// ids collide in 64 bits) go to the lexicographically smaller id, so the result never depends
// on the order of the member list. FNV-1a alone mixes the last bytes poorly ("edge-01",
// "edge-02"); the final mix64 spreads every input bit over the whole weight.
//
// Properties (tests/cluster/rendezvous_test.cpp): deterministic; when a member leaves, only the
// keys it owned move (each to the member with the next highest weight for that key), and when
// it comes back it takes back exactly those; keys spread evenly over the members.
// Keys are edge node keys "group/edge" (edge_node_key); Sparkplug ids contain no '/', so the
// key is unambiguous. Member ids are non-empty strings ("host:port", see membership.hpp).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace floe::cluster {

constexpr uint64_t fnv1a64(std::string_view s) noexcept {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

constexpr uint64_t mix64(uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr uint64_t member_hash(std::string_view member) noexcept {
  return mix64(fnv1a64(member));
}

constexpr uint64_t key_hash(std::string_view key) noexcept {
  return mix64(fnv1a64(key) + 0x9e3779b97f4a7c15ULL);
}

constexpr uint64_t rendezvous_weight(uint64_t member_h, uint64_t key_h) noexcept {
  return mix64(member_h ^ key_h);
}

constexpr uint64_t rendezvous_weight(std::string_view member, std::string_view key) noexcept {
  return rendezvous_weight(member_hash(member), key_hash(key));
}

// "group/edge".
std::string edge_node_key(std::string_view group_id, std::string_view edge_node_id);

// The owner of `key` among `members` (any order, duplicates allowed); empty when `members` is
// empty. The view points into `members`.
std::string_view owner_of(std::string_view key, const std::vector<std::string>& members);

// A member list prepared for many lookups (member hashes computed once). Sorted, duplicates
// removed, empty ids dropped.
class rendezvous_table {
public:
  rendezvous_table() = default;
  explicit rendezvous_table(std::vector<std::string> members);

  // As owner_of(key, members()); the view points into this table.
  std::string_view owner_of(std::string_view key) const noexcept;
  std::string_view owner_of_hash(uint64_t key_h) const noexcept;

  const std::vector<std::string>& members() const noexcept { return members_; }
  bool empty() const noexcept { return members_.empty(); }

private:
  std::vector<std::string> members_;
  std::vector<uint64_t> hashes_;
};

} // namespace floe::cluster

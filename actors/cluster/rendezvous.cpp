#include "actors/cluster/rendezvous.hpp"

#include <algorithm>

namespace floe::cluster {

namespace {

// True when (w, id) beats (best_w, best_id): higher weight, then the smaller id.
bool beats(uint64_t w, std::string_view id, uint64_t best_w, std::string_view best_id) noexcept {
  return w > best_w || (w == best_w && id < best_id);
}

} // namespace

std::string edge_node_key(std::string_view group_id, std::string_view edge_node_id) {
  std::string key;
  key.reserve(group_id.size() + 1 + edge_node_id.size());
  key.append(group_id).append(1, '/').append(edge_node_id);
  return key;
}

std::string_view owner_of(std::string_view key, const std::vector<std::string>& members) {
  uint64_t kh = key_hash(key);
  std::string_view best;
  uint64_t best_w = 0;
  bool found = false;
  for (const auto& m : members) {
    if (m.empty())
      continue;
    uint64_t w = rendezvous_weight(member_hash(m), kh);
    if (!found || beats(w, m, best_w, best)) {
      best = m;
      best_w = w;
      found = true;
    }
  }
  return best;
}

rendezvous_table::rendezvous_table(std::vector<std::string> members)
    : members_(std::move(members)) {
  members_.erase(std::remove_if(members_.begin(), members_.end(),
                                [](const std::string& m) { return m.empty(); }),
                 members_.end());
  std::sort(members_.begin(), members_.end());
  members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
  hashes_.reserve(members_.size());
  for (const auto& m : members_)
    hashes_.push_back(member_hash(m));
}

std::string_view rendezvous_table::owner_of(std::string_view key) const noexcept {
  return owner_of_hash(key_hash(key));
}

std::string_view rendezvous_table::owner_of_hash(uint64_t key_h) const noexcept {
  if (members_.empty())
    return {};
  // Members are sorted, so on equal weights the first (smaller) id is kept.
  size_t best = 0;
  uint64_t best_w = rendezvous_weight(hashes_[0], key_h);
  for (size_t i = 1; i < members_.size(); ++i) {
    uint64_t w = rendezvous_weight(hashes_[i], key_h);
    if (w > best_w) {
      best = i;
      best_w = w;
    }
  }
  return members_[best];
}

} // namespace floe::cluster

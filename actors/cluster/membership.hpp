#pragma once
// membership: one member's view of the cluster, as a deterministic state machine without I/O,
// clocks or CAF. The cluster actor feeds it what it observes (connections to peers, their
// heartbeats, connection losses, graceful leaves), calls on_tick() when next_deadline() says
// so, and drains the events after each call; ownership (ownership.hpp) then turns the view into
// the edge nodes this member owns. docs/cluster.md describes the protocol around it.
// Thread: not thread-safe; one owner at a time.
//
// Rules:
// * Member ids are opaque, non-empty strings; floe uses "host:port" of a member's cluster port,
//   spelled as in --seeds. The configured cluster is self plus the seeds (self may be among
//   them; counted once), or an explicit size. cluster_size() = max(configured size, every
//   member ever known): a member first seen later (heartbeat, connection or a peer's report)
//   enlarges it; nothing shrinks it, not even a graceful leave (a leave and a partition cannot
//   be told apart without consensus). All members must agree on the configured size.
// * Self is always live. Another member is live ("up") while it is connected (on_connected
//   since its last connection loss) and its last heartbeat, received while connected, is less
//   than heartbeat_timeout_ms old. The first heartbeat on a connection makes it up
//   (member_up). A heartbeat from a member that is not connected is ignored (counted): the
//   actor connects (monitors the sender) first; a stale heartbeat processed after a connection
//   loss thus cannot revive a member.
// * Down (member_down): at once on connection loss (reason connection_lost) or a graceful
//   leave (left; a fresh heartbeat is needed to come back); at the first event at or after
//   last heartbeat + heartbeat_timeout_ms (heartbeat_timeout). Every timestamped call checks
//   the timeouts first, so the view depends only on the events and their times, not on how
//   often on_tick() runs.
// * Majority: live members including self > cluster_size() / 2 (has_majority()). Changes emit
//   majority_lost / majority_regained (also for the first majority after the start). A cluster
//   of one has its majority from the start, without an event.
// * Views: a heartbeat carries the sender's live_members(). placement_members() = the live
//   members plus every member a live member reports live. Ownership hashes over this set, not
//   over live_members(): when a link between two members breaks while both still see a common
//   third one (a non-transitive partition), neither takes the other's edge nodes. With the
//   majority counted on direct links only, two members that both hold a majority share a live
//   member, so each has the other in its placement set and they never both own a key
//   (docs/cluster.md, "Split brain"). Reports are replaced by every heartbeat and dropped when
//   the reporter goes down.
// * A heartbeat carrying this member's own id means another process uses the same id (a
//   configuration error that would give two owners): ignored, member_id_conflict emitted.
// Times: now_ms from a monotonic clock (the actor uses steady_clock); only differences count.
// A clock stepping back restarts the running intervals from the new time.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/defaults.hpp"

namespace floe::cluster {

struct membership_config {
  std::string self;               // this member's id
  std::vector<std::string> seeds; // --seeds; may contain self
  // Configured cluster size (members); 0: |seeds ∪ {self}|.
  size_t cluster_size = defaults::cluster::size;
  // Silence after which a member is down (ms).
  int64_t heartbeat_timeout_ms = defaults::cluster::heartbeat_timeout_ms;
};

enum class down_reason : uint8_t { heartbeat_timeout, connection_lost, left };
const char* to_string(down_reason r) noexcept;

struct member_up {
  std::string id;
  int64_t at_ms;
};
struct member_down {
  std::string id;
  down_reason reason;
  int64_t at_ms;
};
struct majority_lost {
  size_t live;         // live members including self
  size_t cluster_size; // cluster_size() at that time
  int64_t at_ms;
};
struct majority_regained {
  size_t live;
  size_t cluster_size;
  int64_t at_ms;
};
struct member_id_conflict {
  int64_t at_ms; // a heartbeat arrived carrying this member's own id
};
using membership_event =
  std::variant<member_up, member_down, majority_lost, majority_regained, member_id_conflict>;

struct membership_counters {
  uint64_t heartbeats = 0;             // accepted
  uint64_t heartbeats_unconnected = 0; // ignored: sender not connected
  uint64_t id_conflicts = 0;           // heartbeats carrying self's id
  uint64_t downs_heartbeat = 0;        // member_down by reason
  uint64_t downs_connection = 0;
  uint64_t downs_left = 0;
};

// A copy of one member's state for queries (admin shell).
struct member_view {
  std::string id;
  bool self = false;
  bool configured = false; // self or a seed
  bool connected = false;
  bool up = false;
  std::optional<int64_t> last_heartbeat_ms;
  std::optional<down_reason> last_down;
  int64_t changed_ms = 0;        // last up/down change (0: never)
  std::vector<std::string> reported; // its live members, from its last heartbeat
};

class membership {
public:
  explicit membership(membership_config config);

  // A link to `member`'s cluster actor exists (connect succeeded, or its first message arrived
  // and the actor monitors the sender). Not up before its first heartbeat.
  void on_connected(std::string_view member, int64_t now_ms);

  // A heartbeat of `member` with its live_members() (empty: no report).
  void on_heartbeat(std::string_view member, int64_t now_ms,
                    const std::vector<std::string>& reported_live = {});

  // The link to `member` went (down_msg of its monitored actor, failed request): down at once.
  void on_connection_lost(std::string_view member, int64_t now_ms);

  // `member` announced that it is stopping: down at once.
  void on_left(std::string_view member, int64_t now_ms);

  // Marks members down whose heartbeats are overdue.
  void on_tick(int64_t now_ms);

  // When on_tick() has work to do: the earliest heartbeat deadline of an up member; nullopt
  // when no member is up. Calling on_tick() earlier or more often is harmless.
  std::optional<int64_t> next_deadline() const noexcept;

  const std::string& self() const noexcept { return config_.self; }
  bool has_majority() const noexcept { return majority_; }
  // Live members including self, sorted.
  std::vector<std::string> live_members() const;
  // Live members plus the members they report live, sorted (input of ownership).
  std::vector<std::string> placement_members() const;
  bool is_up(std::string_view member) const;
  size_t live_count() const noexcept;
  size_t configured_size() const noexcept { return configured_size_; }
  size_t cluster_size() const noexcept;
  // Every known member including self, sorted by id.
  std::vector<member_view> members() const;
  const membership_counters& counters() const noexcept { return counters_; }

  // Moves the events emitted so far into `out` (cleared first); pass the same vector each time.
  void take_events(std::vector<membership_event>& out);
  const std::vector<membership_event>& events() const noexcept { return events_; }

private:
  struct member {
    bool configured = false;
    bool connected = false;
    bool up = false;
    std::optional<int64_t> last_heartbeat_ms;
    std::optional<down_reason> last_down;
    int64_t changed_ms = 0;
    std::vector<std::string> reported;
  };

  member& known(std::string_view id);
  void expire(int64_t now_ms);
  void go_down(const std::string& id, member& m, down_reason reason, int64_t now_ms);
  void update_majority(int64_t now_ms);

  membership_config config_;
  size_t configured_size_ = 1;
  std::map<std::string, member, std::less<>> members_; // every other member ever known
  bool majority_ = false;
  membership_counters counters_;
  std::vector<membership_event> events_;
};

// "host:port" -> (host, port); nullopt when malformed (no ':', empty host, port not 1..65535).
// IPv6 literals go in brackets: "[::1]:4711".
struct host_port {
  std::string host;
  uint16_t port = 0;
};
std::optional<host_port> parse_host_port(const std::string& s);

} // namespace floe::cluster

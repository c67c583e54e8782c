#pragma once
// What floe-admin asks a floe-node: one call per request of query::query_actor
// (actors/query/query_messages.hpp). node_client (node_client.hpp) implements it over CAF; the
// shell only sees this interface, so it can be driven by a fake in tests. Every call blocks at
// most `timeout`.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/query/query_messages.hpp"
#include "common/result.hpp"

namespace floe::admin {

struct query_error {
  enum class kind : uint8_t {
    unreachable, // no connection to the node (refused, lost, nothing published, wrong interface)
    timeout,     // no answer in time
    rejected,    // the node answered with an error (unknown device, ...): `text` is its reason
  };
  kind what = kind::rejected;
  std::string text;
};

// Exit code of a failed command: 2 for unreachable/timeout, 1 for a rejected request.
int exit_code_of(const query_error& e);

template <class T>
using answer = result<T, query_error>;

class node_api {
public:
  using timeout = std::chrono::milliseconds;

  virtual ~node_api() = default;

  // "127.0.0.1:4710"
  virtual std::string address() const = 0;

  virtual answer<std::vector<host::edge_node_summary>> list_edge_nodes(timeout t) = 0;
  virtual answer<host::device_state_view> device(const std::string& group,
                                                 const std::string& edge_node,
                                                 const std::string& device, timeout t) = 0;
  virtual answer<query::history_reply> history(const query::history_request& rq, timeout t) = 0;
  virtual answer<std::vector<alarms::alarm_view>> alarms(bool active_only, uint64_t limit,
                                                         timeout t) = 0;
  virtual answer<std::string> ack(const std::string& alarm_id, const std::string& by,
                                  timeout t) = 0;
  virtual answer<std::string> rebirth(const std::string& group, const std::string& edge_node,
                                      timeout t) = 0;
  virtual answer<query::node_stats> stats(timeout t) = 0;
  virtual answer<cluster::cluster_status> cluster(timeout t) = 0;
};

} // namespace floe::admin

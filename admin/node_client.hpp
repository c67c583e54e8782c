#pragma once
// node_client: node_api over CAF, the only part of floe-admin that includes CAF's runtime
// (node_client.cpp). It connects through the middleman actor (connect_atom with a request
// timeout: a hung or unreachable node costs at most the timeout, never a hang), checks that the
// published actor has query::query_actor's interface and sends every query as a request with a
// timeout. A lost connection is re-established by the next call.

#include <memory>
#include <string>

#include "admin/commands.hpp"
#include "admin/node_api.hpp"

namespace floe::admin {

class node_client final : public node_api {
public:
  explicit node_client(node_address where);
  ~node_client() override;
  node_client(const node_client&) = delete;
  node_client& operator=(const node_client&) = delete;

  // Connects (again) now. Error kind unreachable or timeout; the text is the reason alone
  // (callers add "cannot reach floe-node at <address>: ").
  result<void, query_error> connect(timeout t);

  std::string address() const override;
  answer<std::vector<host::edge_node_summary>> list_edge_nodes(timeout t) override;
  answer<host::device_state_view> device(const std::string& group, const std::string& edge_node,
                                         const std::string& device, timeout t) override;
  answer<query::history_reply> history(const query::history_request& rq, timeout t) override;
  answer<std::vector<alarms::alarm_view>> alarms(bool active_only, uint64_t limit,
                                                 timeout t) override;
  answer<std::string> ack(const std::string& alarm_id, const std::string& by,
                          timeout t) override;
  answer<std::string> rebirth(const std::string& group, const std::string& edge_node,
                              timeout t) override;
  answer<query::node_stats> stats(timeout t) override;
  answer<cluster::cluster_status> cluster(timeout t) override;

  struct impl;

private:
  std::unique_ptr<impl> impl_;
};

} // namespace floe::admin

#include "actors/host/host_messages.hpp"

#include <caf/actor_system_config.hpp>

namespace floe::host {

void add_host_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<raw_message>("floe::host::raw_message");
  cfg.add_message_type<device_status>("floe::host::device_status");
  cfg.add_message_type<metric_view>("floe::host::metric_view");
  cfg.add_message_type<alarm_brief>("floe::host::alarm_brief");
  cfg.add_message_type<device_state_view>("floe::host::device_state_view");
  cfg.add_message_type<device_brief>("floe::host::device_brief");
  cfg.add_message_type<edge_node_summary>("floe::host::edge_node_summary");
  cfg.add_message_type<std::vector<edge_node_summary>>("std::vector<floe::host::edge_node_summary>");
  cfg.add_message_type<supervisor_actor>("floe::host::supervisor_actor");
}

} // namespace floe::host

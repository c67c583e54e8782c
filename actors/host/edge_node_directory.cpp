#include "actors/host/edge_node_directory.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

#include <caf/typed_event_based_actor.hpp>

namespace floe::host {

directory_actor::behavior_type edge_node_directory(directory_pointer self, int64_t timeout_ms) {
  self->state.timeout_ms = timeout_ms;
  return {
    [=](caf::put_atom, const std::string& group, const std::string& edge,
        const supervisor_actor& sup) {
      self->state.supervisors[{group, edge}] = sup;
    },
    [=](caf::delete_atom, const std::string& group, const std::string& edge) {
      self->state.supervisors.erase({group, edge});
    },
    [=](list_atom) -> caf::result<std::vector<edge_node_summary>> {
      auto& st = self->state;
      if (st.supervisors.empty())
        return std::vector<edge_node_summary>{};
      struct gather {
        caf::typed_response_promise<std::vector<edge_node_summary>> promise;
        std::vector<edge_node_summary> summaries;
        size_t outstanding = 0;
      };
      auto g = std::make_shared<gather>();
      g->promise = self->make_response_promise<std::vector<edge_node_summary>>();
      g->outstanding = st.supervisors.size();
      auto done = [g] {
        if (--g->outstanding > 0)
          return;
        std::sort(g->summaries.begin(), g->summaries.end(),
                  [](const edge_node_summary& a, const edge_node_summary& b) {
                    return std::tie(a.group, a.edge_node) < std::tie(b.group, b.edge_node);
                  });
        g->promise.deliver(std::move(g->summaries));
      };
      for (auto& [key, sup] : st.supervisors)
        self->request(sup, std::chrono::milliseconds(st.timeout_ms), caf::get_atom::value)
          .then([g, done](edge_node_summary& s) {
                  g->summaries.push_back(std::move(s));
                  done();
                },
                [done](caf::error&) { done(); });
      return g->promise;
    },
    [=](caf::get_atom, const std::string& group, const std::string& edge) -> supervisor_actor {
      auto& st = self->state;
      auto it = st.supervisors.find({group, edge});
      return it == st.supervisors.end() ? supervisor_actor{} : it->second;
    },
  };
}

} // namespace floe::host

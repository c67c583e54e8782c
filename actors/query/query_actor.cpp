#include "actors/query/query_actor.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <map>
#include <memory>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/host/metric_values.hpp"
#include "actors/windows/window_aggregator.hpp"
#include "store/keys.hpp"
#include "store/series_dictionary.hpp"
#include "store/values.hpp"

namespace floe::query {

namespace {

point_view view_of(const store::stored_point& p) {
  point_view v;
  v.timestamp_ms = p.timestamp_ms;
  v.value = host::render_stored_value(p.value);
  std::visit(
    [&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int64_t>
                    || std::is_same_v<T, uint64_t>) {
        v.numeric = true;
        v.number = static_cast<double>(x);
      } else if constexpr (std::is_same_v<T, bool>) {
        v.numeric = true;
        v.number = x ? 1 : 0;
      }
    },
    p.value);
  v.quality = p.flags.quality;
  v.historical = p.flags.historical;
  return v;
}

window_view view_of(const store::window_record& w) {
  window_view v;
  v.start_ms = w.start_ms;
  v.width_ms = static_cast<int64_t>(w.width_ms);
  v.count = w.count;
  v.changes = w.changes;
  switch (w.kind) {
    case store::window_kind::numeric:
      v.kind = "numeric";
      v.min = w.min;
      v.max = w.max;
      v.sum = w.sum;
      v.mean = w.mean();
      v.stddev = w.stddev();
      v.first = w.first;
      v.last = w.last;
      break;
    case store::window_kind::boolean:
      v.kind = "boolean";
      v.last_value = host::render_stored_value(w.last_value);
      v.time_true_ms = w.time_true_ms;
      break;
    case store::window_kind::text:
      v.kind = "string";
      v.last_value = host::render_stored_value(w.last_value);
      break;
  }
  return v;
}

window_view view_of(const windows::window_result& w) {
  window_view v;
  v.start_ms = w.start_ms;
  v.width_ms = w.width_ms;
  v.open = !w.final;
  v.kind = std::string(windows::to_string(w.kind));
  v.count = w.count;
  v.min = w.min;
  v.max = w.max;
  v.sum = w.sum;
  v.mean = w.mean;
  v.stddev = w.stddev;
  v.first = w.first;
  v.last = w.last;
  v.changes = w.changes;
  v.time_true_ms = w.time_true_ms;
  v.last_value = w.kind == windows::value_kind::boolean ? (w.last_flag ? "true" : "false")
                                                        : w.last_text;
  return v;
}

caf::error fail(std::string text) {
  return caf::make_error(caf::sec::invalid_argument, std::move(text));
}

// Reads at most `limit` decoded entries of `range` into `out`, ascending; with `latest` the
// newest ones. `truncated` is set when the range held more. A corrupt entry costs itself only.
// Returns the storage error's text, "" on success.
template <class View, class Decode>
std::string read_range(store::storage& db, store::scan_range range, bool latest, size_t limit,
                      std::vector<View>& out, bool& truncated, Decode decode) {
  range.limit = limit + 1; // one more tells whether the limit cut the answer
  if (latest)
    range.order = store::scan_order::descending;
  auto n = db.scan(range, [&](std::string_view k, std::string_view v) {
    if (auto x = decode(k, v))
      out.push_back(std::move(*x));
    return true;
  });
  if (!n)
    return store::to_string(n.error());
  if (out.size() > limit) {
    out.resize(limit);
    truncated = true;
  }
  if (latest)
    std::reverse(out.begin(), out.end());
  return {};
}

caf::result<history_reply> history(query_pointer self, const history_request& rq) {
  auto& st = self->state.setup;
  auto name = store::series_name(rq.group, rq.edge_node, rq.device, rq.metric);
  auto id = st.dictionary->find(name);
  if (!id)
    return fail("unknown metric '" + name + "' (no birth of it was stored)");
  if (rq.to_ms <= rq.from_ms)
    return fail("empty time range: to must be after from");
  size_t limit = rq.limit == 0 ? st.max_points : std::min<size_t>(rq.limit, st.max_points);
  history_reply out;
  out.series = name;
  out.series_id = *id;
  if (rq.width_ms == 0) {
    store::scan_range r{store::family::points, store::point_range_begin(*id, rq.from_ms),
                        store::point_range_end(*id, rq.to_ms)};
    auto err = read_range(*st.db, r, rq.latest, limit, out.points, out.truncated,
                          [](std::string_view k, std::string_view v) -> std::optional<point_view> {
                            auto p = store::decode_point(k, v);
                            return p ? std::optional<point_view>{view_of(*p)} : std::nullopt;
                          });
    if (!err.empty())
      return fail("reading " + name + ": " + err);
    return out;
  }
  if (std::find(st.window_widths_ms.begin(), st.window_widths_ms.end(), rq.width_ms)
      == st.window_widths_ms.end())
    return fail("no windows of width " + std::to_string(rq.width_ms) + " ms are computed");
  auto width = static_cast<uint64_t>(rq.width_ms);
  // Windows that overlap [from, to): starts from the window holding `from`.
  auto first_start = windows::window_start(rq.from_ms, rq.width_ms);
  store::scan_range r{store::family::windows,
                      store::window_range_begin(*id, width, first_start),
                      store::window_range_begin(*id, width, rq.to_ms)};
  auto err = read_range(*st.db, r, rq.latest, limit, out.windows, out.truncated,
                        [](std::string_view k, std::string_view v) -> std::optional<window_view> {
                          auto w = store::decode_window(k, v);
                          return w ? std::optional<window_view>{view_of(*w)} : std::nullopt;
                        });
  if (!err.empty())
    return fail("reading windows of " + name + ": " + err);
  if (st.aggregators.empty())
    return out;
  auto rp = self->make_response_promise<history_reply>();
  auto& agg = st.aggregators[windows::shard_of(*id, st.aggregators.size())];
  auto from = first_start, to = rq.to_ms;
  self->request(agg, std::chrono::milliseconds(st.timeout_ms), caf::get_atom::value,
                uint64_t{*id})
    .then(
      [=](std::vector<windows::window_result>& open) mutable {
        auto reply = out;
        for (auto& w : open) {
          if (w.width_ms != rq.width_ms || w.start_ms < from || w.start_ms >= to)
            continue;
          auto v = view_of(w);
          auto same = std::find_if(reply.windows.begin(), reply.windows.end(),
                                   [&](const window_view& x) { return x.start_ms == v.start_ms; });
          if (same != reply.windows.end())
            *same = v; // re-opened by a late point: the open view is newer
          else
            reply.windows.push_back(v);
        }
        std::sort(reply.windows.begin(), reply.windows.end(),
                  [](const window_view& a, const window_view& b) { return a.start_ms < b.start_ms; });
        if (reply.windows.size() > limit) {
          if (rq.latest)
            reply.windows.erase(reply.windows.begin(),
                                reply.windows.end() - static_cast<std::ptrdiff_t>(limit));
          else
            reply.windows.resize(limit);
          reply.truncated = true;
        }
        rp.deliver(std::move(reply));
      },
      [=](caf::error&) mutable {
        rp.deliver(out); // stored windows only
      });
  return rp;
}

void add_summaries(node_stats& s, const std::vector<host::edge_node_summary>& nodes) {
  for (auto& n : nodes) {
    if (n.online)
      ++s.edge_nodes_online;
    s.sparkplug_messages += n.messages;
    s.metrics += n.metrics;
    s.rebirths_requested += n.rebirths_requested;
    s.protocol_faults += n.protocol_faults;
    s.malformed_payloads += n.malformed_payloads;
    s.devices += n.devices.size();
    for (auto& d : n.devices)
      if (d.online)
        ++s.devices_online;
  }
}

// Resident set size from /proc/self/statm (pages); 0 where that is not available.
uint64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr)
    return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

uint64_t heap_in_use_bytes() {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
#else
  return 0;
#endif
}

uint64_t cpu_time_ms() {
  struct rusage u {};
  if (::getrusage(RUSAGE_SELF, &u) != 0)
    return 0;
  auto ms = [](const timeval& t) {
    return static_cast<uint64_t>(t.tv_sec) * 1000 + static_cast<uint64_t>(t.tv_usec) / 1000;
  };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

caf::result<node_stats> gather_stats(query_pointer self) {
  auto& st = self->state.setup;
  auto rp = self->make_response_promise<node_stats>();
  auto stats = std::make_shared<node_stats>();
  stats->host_id = st.host_id;
  stats->now_ms = st.now_ms();
  stats->uptime_ms = stats->now_ms - st.started_ms;
  if (st.ingest)
    stats->ingest = st.ingest();
  stats->actors = self->home_system().registry().running();
  stats->rss_bytes = resident_bytes();
  stats->heap_bytes = heap_in_use_bytes();
  stats->cpu_ms = cpu_time_ms();
  auto timeout = std::chrono::milliseconds(st.timeout_ms);
  // Writer, then every aggregator, then directory, then alarms; a part that times out is left
  // at zero rather than failing the whole answer.
  auto pending = std::make_shared<size_t>(3 + st.aggregators.size());
  auto done = [rp, stats, pending]() mutable {
    if (--*pending == 0)
      rp.deliver(*stats);
  };
  self->request(st.writer, timeout, storage_actors::stats_atom::value)
    .then([=](storage_actors::store_stats& s) mutable { stats->store = std::move(s); done(); },
          [=](caf::error&) mutable { done(); });
  for (auto& a : st.aggregators)
    self->request(a, timeout, windows::stats_atom::value)
      .then(
        [=](windows::aggregator_stats& s) mutable {
          stats->open_windows += s.open_windows;
          stats->windows_emitted += s.windows_emitted;
          done();
        },
        [=](caf::error&) mutable { done(); });
  self->request(st.directory, timeout, host::list_atom::value)
    .then(
      [=](std::vector<host::edge_node_summary>& nodes) mutable {
        add_summaries(*stats, nodes);
        done();
      },
      [=](caf::error&) mutable { done(); });
  if (st.alarm_book)
    self->request(st.alarm_book, timeout, host::list_atom::value, true, uint64_t{1'000'000})
      .then(
        [=](std::vector<alarms::alarm_view>& active) mutable {
          stats->active_alarms = active.size();
          done();
        },
        [=](caf::error&) mutable { done(); });
  else
    done();
  return rp;
}


// ---- cluster: gathering and routing (docs/cluster.md, "Queries") ----

// Calls `then` with the query actors of the live members but this one: empty without a cluster
// or when the cluster actor does not answer in time.
template <class F>
void with_peers(query_pointer self, F then) {
  auto& st = self->state.setup;
  if (!st.cluster) {
    then(std::vector<query_actor>{});
    return;
  }
  self->request(st.cluster, std::chrono::milliseconds(st.timeout_ms), cluster::peers_atom::value)
    .then(
      [then](std::vector<caf::actor>& peers) mutable {
        std::vector<query_actor> out;
        for (auto& p : peers)
          out.push_back(caf::actor_cast<query_actor>(p));
        then(std::move(out));
      },
      [then](caf::error&) mutable { then(std::vector<query_actor>{}); });
}

template <class T>
struct gathering {
  caf::typed_response_promise<T> promise;
  std::vector<T> answers; // local first when it answered
  caf::error local_error;
  caf::error peer_error;
  size_t outstanding = 0;
};

// Sends (local_atom, request...) to this member and to every live peer, and delivers
// merge(answers) once all answered or failed; with no answer at all, this member's error (else
// a peer's). A peer that does not answer within the timeout is left out.
template <class T, class Merge, class... Ts>
caf::result<T> gather(query_pointer self, Merge merge, Ts... request) {
  auto rp = self->make_response_promise<T>();
  auto timeout = std::chrono::milliseconds(self->state.setup.timeout_ms);
  with_peers(self, [=](std::vector<query_actor> peers) mutable {
    peers.insert(peers.begin(), caf::actor_cast<query_actor>(self));
    auto g = std::make_shared<gathering<T>>();
    g->promise = rp;
    g->outstanding = peers.size();
    auto done = [g, merge]() mutable {
      if (--g->outstanding > 0)
        return;
      if (!g->answers.empty())
        g->promise.deliver(merge(std::move(g->answers)));
      else if (g->local_error)
        g->promise.deliver(g->local_error);
      else
        g->promise.deliver(g->peer_error ? g->peer_error : fail("no member answered"));
    };
    for (size_t i = 0; i < peers.size(); ++i) {
      bool local = i == 0;
      self->request(peers[i], timeout, local_atom::value, request...)
        .then(
          [g, done, local](T& x) mutable {
            if (local)
              g->answers.insert(g->answers.begin(), std::move(x));
            else
              g->answers.push_back(std::move(x));
            done();
          },
          [g, done, local](caf::error& e) mutable {
            (local ? g->local_error : g->peer_error) = std::move(e);
            done();
          });
    }
  });
  return rp;
}

std::vector<host::edge_node_summary>
merge_edge_nodes(std::vector<std::vector<host::edge_node_summary>> answers) {
  // One entry per edge node; during a hand-over two members may list it: the online one wins.
  std::map<std::pair<std::string, std::string>, host::edge_node_summary> by_key;
  for (auto& list : answers)
    for (auto& n : list) {
      auto key = std::make_pair(n.group, n.edge_node);
      auto it = by_key.find(key);
      if (it == by_key.end())
        by_key.emplace(std::move(key), std::move(n));
      else if (n.online && !it->second.online)
        it->second = std::move(n);
    }
  std::vector<host::edge_node_summary> out;
  out.reserve(by_key.size());
  for (auto& [key, n] : by_key)
    out.push_back(std::move(n));
  return out;
}

// Points of a series can be in several members' stores (the edge node moved): the union, one
// point per timestamp. Windows: per start the one computed from the most points (a member
// that owned the edge node for part of a window holds a partial one). Then the limit again.
history_reply merge_histories(std::vector<history_reply> answers, size_t limit, bool latest) {
  history_reply out = answers.front();
  out.points.clear();
  out.windows.clear();
  std::map<int64_t, point_view> points;
  std::map<int64_t, window_view> windows;
  for (auto& a : answers) {
    out.truncated = out.truncated || a.truncated;
    for (auto& p : a.points)
      points.emplace(p.timestamp_ms, std::move(p));
    for (auto& w : a.windows) {
      auto it = windows.find(w.start_ms);
      if (it == windows.end())
        windows.emplace(w.start_ms, std::move(w));
      else if (w.count > it->second.count)
        it->second = std::move(w);
    }
  }
  auto cut = [&](auto& m, auto& v) {
    for (auto& [k, x] : m)
      v.push_back(std::move(x));
    if (v.size() > limit) {
      if (latest)
        v.erase(v.begin(), v.end() - static_cast<std::ptrdiff_t>(limit));
      else
        v.resize(limit);
      out.truncated = true;
    }
  };
  cut(points, out.points);
  cut(windows, out.windows);
  return out;
}

std::vector<alarms::alarm_view> merge_alarms(std::vector<std::vector<alarms::alarm_view>> answers,
                                             uint64_t limit) {
  std::vector<alarms::alarm_view> out;
  for (auto& a : answers)
    out.insert(out.end(), std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()));
  // Newest first, as each member answers; the same event listed twice is shown once.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.timestamp_ms > b.timestamp_ms;
  });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) {
                          return a.alarm_id == b.alarm_id && a.timestamp_ms == b.timestamp_ms
                                 && a.transition == b.transition;
                        }),
            out.end());
  if (limit > 0 && out.size() > limit)
    out.resize(limit);
  return out;
}

// Runs `here(rp)` when this member has the edge node's supervisor, else hands the request to
// the owner's query actor (`there(rp, owner)`), else fails with "unknown edge node".
template <class T, class Here, class There>
caf::result<T> route(query_pointer self, const std::string& group, const std::string& edge,
                     Here here, There there) {
  auto& st = self->state.setup;
  auto timeout = std::chrono::milliseconds(st.timeout_ms);
  auto rp = self->make_response_promise<T>();
  auto unknown = "unknown edge node " + group + "/" + edge;
  self->request(st.directory, timeout, caf::get_atom::value, group, edge)
    .then(
      [=](host::supervisor_actor& sup) mutable {
        if (sup) {
          here(rp, sup);
          return;
        }
        auto& st = self->state.setup;
        if (!st.cluster) {
          rp.deliver(fail(unknown));
          return;
        }
        self->request(st.cluster, timeout, cluster::owner_atom::value, group + "/" + edge)
          .then(
            [=](caf::actor& owner) mutable {
              if (!owner)
                rp.deliver(fail(unknown));
              else
                there(rp, caf::actor_cast<query_actor>(owner));
            },
            [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
      },
      [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
  return rp;
}

} // namespace

query_actor::behavior_type query_behavior(query_pointer self, query_setup setup) {
  self->state.setup = std::move(setup);
  return {
    [=](host::list_atom) -> caf::result<std::vector<host::edge_node_summary>> {
      return gather<std::vector<host::edge_node_summary>>(self, merge_edge_nodes,
                                                          host::list_atom::value);
    },
    [=](local_atom, host::list_atom) -> caf::delegated<std::vector<host::edge_node_summary>> {
      return self->delegate(self->state.setup.directory, host::list_atom::value);
    },
    [=](caf::get_atom, const std::string& group, const std::string& edge,
        const std::string& device) -> caf::result<host::device_state_view> {
      return route<host::device_state_view>(
        self, group, edge,
        [=](auto& rp, host::supervisor_actor& sup) {
          rp.delegate(sup, caf::get_atom::value, device);
        },
        [=](auto& rp, const query_actor& owner) {
          rp.delegate(owner, caf::get_atom::value, group, edge, device);
        });
    },
    [=](history_atom, const history_request& rq) -> caf::result<history_reply> {
      auto& st = self->state.setup;
      size_t limit = rq.limit == 0 ? st.max_points : std::min<size_t>(rq.limit, st.max_points);
      bool latest = rq.latest;
      return gather<history_reply>(
        self,
        [limit, latest](std::vector<history_reply> answers) {
          return merge_histories(std::move(answers), limit, latest);
        },
        history_atom::value, rq);
    },
    [=](local_atom, history_atom, const history_request& rq) { return history(self, rq); },
    [=](alarms_atom, bool active_only, uint64_t limit)
      -> caf::result<std::vector<alarms::alarm_view>> {
      return gather<std::vector<alarms::alarm_view>>(
        self,
        [limit](std::vector<std::vector<alarms::alarm_view>> answers) {
          return merge_alarms(std::move(answers), limit);
        },
        alarms_atom::value, active_only, limit);
    },
    [=](local_atom, alarms_atom, bool active_only, uint64_t limit)
      -> caf::result<std::vector<alarms::alarm_view>> {
      if (!self->state.setup.alarm_book)
        return std::vector<alarms::alarm_view>{};
      return self->delegate(self->state.setup.alarm_book, host::list_atom::value, active_only,
                            limit);
    },
    [=](host::ack_atom, const std::string& id, const std::string& who)
      -> caf::result<std::string> {
      if (who.empty())
        return fail("acknowledging needs an operator name");
      // Only the member whose alarm book holds the alarm accepts; its answer is the answer.
      return gather<std::string>(
        self, [](std::vector<std::string> answers) { return answers.front(); },
        host::ack_atom::value, id, who);
    },
    [=](local_atom, host::ack_atom, const std::string& id, const std::string& who)
      -> caf::result<std::string> {
      if (!self->state.setup.alarm_book)
        return fail("no alarm rules are configured");
      if (who.empty())
        return fail("acknowledging needs an operator name");
      return self->delegate(self->state.setup.alarm_book, host::ack_atom::value, id, who);
    },
    [=](host::rebirth_atom, const std::string& group, const std::string& edge)
      -> caf::result<std::string> {
      return route<std::string>(
        self, group, edge,
        [=](auto& rp, host::supervisor_actor& sup) {
          rp.delegate(sup, host::rebirth_atom::value, std::string("operator request"));
        },
        [=](auto& rp, const query_actor& owner) {
          rp.delegate(owner, host::rebirth_atom::value, group, edge);
        });
    },
    [=](stats_atom) { return gather_stats(self); },
    [=](cluster_atom) -> caf::result<cluster::cluster_status> {
      auto& st = self->state.setup;
      if (!st.cluster) {
        cluster::cluster_status alone;
        alone.self = st.host_id;
        alone.majority = true;
        alone.cluster_size = 1;
        alone.live = 1;
        return alone;
      }
      return self->delegate(st.cluster, caf::get_atom::value);
    },
    [=](caf::put_atom, const cluster::cluster_actor& c) { self->state.setup.cluster = c; },
  };
}

void add_query_message_types(caf::actor_system_config& cfg) {
  host::add_host_message_types(cfg);
  cfg.add_message_type<alarms::alarm_view>("floe::alarms::alarm_view");
  cfg.add_message_type<std::vector<alarms::alarm_view>>("std::vector<floe::alarms::alarm_view>");
  cfg.add_message_type<storage_actors::store_stats>("floe::storage_actors::store_stats");
  cfg.add_message_type<history_request>("floe::query::history_request");
  cfg.add_message_type<point_view>("floe::query::point_view");
  cfg.add_message_type<window_view>("floe::query::window_view");
  cfg.add_message_type<history_reply>("floe::query::history_reply");
  cfg.add_message_type<ingest_counters>("floe::query::ingest_counters");
  cfg.add_message_type<node_stats>("floe::query::node_stats");
  cluster::add_cluster_message_types(cfg);
  cfg.add_message_type<query_actor>("floe::query::query_actor");
}

} // namespace floe::query

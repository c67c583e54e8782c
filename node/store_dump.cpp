// floe-store-dump: prints what a floe member's RocksDB store holds, one JSON line per series
// (or per point with --points, per closed window with --windows). An operator and test tool; it opens the database itself, so the
// node that owns the directory must be stopped first (RocksDB admits one process at a time).
// Exit codes: 0 done, 1 the store cannot be opened or read, 2 bad command line.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "store/keys.hpp"
#include "store/rocksdb_storage.hpp"
#include "store/series_dictionary.hpp"
#include "store/values.hpp"

namespace {

using namespace floe;
namespace po = boost::program_options;

// Same layout as store/series_dictionary.cpp: "series/id/" + be32(id) -> name.
constexpr std::string_view id_prefix = "series/id/";

// Numbers as numbers (Float is stored widened to double), bools, strings, null; Bytes/File
// as {"bytes":"<lowercase hex>"}. Non-finite doubles become null (JSON has no NaN).
nlohmann::json value_json(const store::stored_value& v) {
  return std::visit(
    [](const auto& x) -> nlohmann::json {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, std::monostate>) {
        return nullptr;
      } else if constexpr (std::is_same_v<T, store::byte_string>) {
        static const char* digits = "0123456789abcdef";
        std::string hex;
        hex.reserve(x.size() * 2);
        for (uint8_t b : x) {
          hex += digits[b >> 4];
          hex += digits[b & 0xF];
        }
        return nlohmann::json{{"bytes", hex}};
      } else {
        return x;
      }
    },
    v);
}

void print(const nlohmann::json& j) {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

const char* kind_name(store::window_kind k) {
  switch (k) {
    case store::window_kind::numeric:
      return "numeric";
    case store::window_kind::boolean:
      return "boolean";
    case store::window_kind::text:
      return "text";
  }
  return "unknown";
}

// One stored window record. mean and stddev (population) are derived from sum and Welford's M2
// exactly as the query path does (window_record::mean/stddev).
nlohmann::json window_json(const std::string& name, const store::window_record& w) {
  return {{"series", name},
          {"width_ms", w.width_ms},
          {"start_ms", w.start_ms},
          {"kind", kind_name(w.kind)},
          {"count", w.count},
          {"first_ts_ms", w.first_ts_ms},
          {"last_ts_ms", w.last_ts_ms},
          {"min", w.min},
          {"max", w.max},
          {"sum", w.sum},
          {"mean", w.mean()},
          {"stddev", w.stddev()},
          {"first", w.first},
          {"last", w.last},
          {"last_value", value_json(w.last_value)},
          {"changes", w.changes},
          {"time_true_ms", w.time_true_ms}};
}

enum class output { summary, points, windows };

struct series_summary {
  uint64_t points = 0;
  uint64_t historical = 0;
  uint64_t windows = 0;
  std::optional<int64_t> first_ts;
  std::optional<int64_t> last_ts;
  store::stored_value last_value;
};

int dump(const std::string& data_dir, const std::string& prefix, output mode) {
  const bool points = mode == output::points;
  // Checked before RocksDB sees the path: its open creates the directory, LOCK and LOG even
  // when it then fails for a missing database, and a dump must not leave files behind.
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    std::fprintf(stderr, "floe-store-dump: %s is not a directory\n", data_dir.c_str());
    return 1;
  }
  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "CURRENT", ec)) {
    std::fprintf(stderr, "floe-store-dump: no store at %s (no RocksDB CURRENT file)\n",
                 data_dir.c_str());
    return 1;
  }
  store::rocksdb_options ro;
  ro.path = data_dir;
  ro.create_if_missing = false;
  ro.mode = store::durability::none; // read only in practice: this tool commits nothing
  auto opened = store::rocksdb_storage::open(ro);
  if (!opened) {
    std::fprintf(stderr,
                 "floe-store-dump: cannot open the store at %s: %s\n"
                 "(the directory must hold a floe store, and the floe-node using it must be "
                 "stopped: RocksDB admits one process at a time)\n",
                 data_dir.c_str(), store::to_string(opened.error()).c_str());
    return 1;
  }
  auto& db = **opened;
  // Loading checks that both halves of the dictionary agree.
  auto dict = store::series_dictionary::load(db);
  if (!dict) {
    std::fprintf(stderr, "floe-store-dump: %s\n", store::to_string(dict.error()).c_str());
    return 1;
  }

  // The dictionary first (a scan visitor must not call back into the storage), then each series.
  // (--windows still scans the points: a corrupt point fails the dump in every mode.)
  std::string failure;
  std::vector<std::pair<store::series_id, std::string>> series;
  std::string end(id_prefix);
  end.back() = static_cast<char>(end.back() + 1);
  auto listed = db.scan(store::scan_range{store::family::meta, std::string(id_prefix), end},
                        [&](std::string_view key, std::string_view value) {
                          if (key.size() != id_prefix.size() + 4) {
                            failure = "series dictionary: malformed key in the meta family";
                            return false;
                          }
                          std::string name(value);
                          if (name.compare(0, prefix.size(), prefix) == 0)
                            series.emplace_back(store::read_be32(key.data() + id_prefix.size()),
                                                std::move(name));
                          return true;
                        });
  if (!listed && failure.empty())
    failure = "series dictionary: " + store::to_string(listed.error());

  for (auto& [id, name] : series) {
    if (!failure.empty())
      break;
    series_summary s;
    auto scanned = db.scan(
      store::scan_range{store::family::points, store::series_prefix(id), store::series_end(id)},
      [&, &name = name](std::string_view k, std::string_view v) {
        auto p = store::decode_point(k, v);
        if (!p) {
          failure = "point of " + name + ": " + store::to_string(p.error());
          return false;
        }
        ++s.points;
        if (p->flags.historical)
          ++s.historical;
        if (!s.first_ts)
          s.first_ts = p->timestamp_ms;
        s.last_ts = p->timestamp_ms; // ascending key order is time order
        s.last_value = p->value;
        if (points)
          print({{"series", name},
                 {"ts", p->timestamp_ms},
                 {"value", value_json(p->value)},
                 {"quality", p->flags.quality},
                 {"historical", p->flags.historical}});
        return true;
      });
    if (!scanned && failure.empty())
      failure = "points of " + name + ": " + store::to_string(scanned.error());
    if (!failure.empty() || points)
      continue;

    auto windows = db.scan(
      store::scan_range{store::family::windows, store::series_prefix(id), store::series_end(id)},
      [&, &name = name](std::string_view k, std::string_view v) {
        auto w = store::decode_window(k, v);
        if (!w) {
          failure = "window of " + name + ": " + store::to_string(w.error());
          return false;
        }
        ++s.windows;
        if (mode == output::windows)
          print(window_json(name, *w));
        return true;
      });
    if (!windows && failure.empty())
      failure = "windows of " + name + ": " + store::to_string(windows.error());
    if (!failure.empty() || mode == output::windows)
      continue;

    nlohmann::json line{{"series", name},
                        {"id", id},
                        {"points", s.points},
                        {"first_ts", nullptr},
                        {"last_ts", nullptr},
                        {"last_value", nullptr},
                        {"historical", s.historical},
                        {"windows", s.windows}};
    if (s.first_ts) {
      line["first_ts"] = *s.first_ts;
      line["last_ts"] = *s.last_ts;
      line["last_value"] = value_json(s.last_value);
    }
    print(line);
  }
  std::cout.flush();
  if (!failure.empty()) {
    std::fprintf(stderr, "floe-store-dump: %s\n", failure.c_str());
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  po::options_description desc(
    "floe-store-dump: print the series, points and windows of a floe store (RocksDB)\n\n"
    "Usage: floe-store-dump --data-dir DIR [--series PREFIX] [--points | --windows]\n"
    "Stop the floe-node using DIR first: RocksDB admits one process at a time.\n\n"
    "Output, one JSON line per series (in id order):\n"
    "  {\"series\":\"group/edge/device/metric\",\"id\":N,\"points\":N,\"first_ts\":MS,\n"
    "   \"last_ts\":MS,\"last_value\":V,\"historical\":N,\"windows\":N}\n"
    "  (device is empty for edge-node metrics; first_ts/last_ts/last_value are null\n"
    "  without points; \"historical\" counts is_historical points, \"windows\" the closed\n"
    "  window records of every width)\n"
    "with --points, one line per point instead, in time order per series:\n"
    "  {\"series\":NAME,\"ts\":MS,\"value\":V,\"quality\":Q,\"historical\":BOOL}\n"
    "with --windows, one line per stored (closed) window instead, per series by width then\n"
    "start:\n"
    "  {\"series\":NAME,\"width_ms\":MS,\"start_ms\":MS,\"kind\":\"numeric\"|\"boolean\"|\"text\",\n"
    "   \"count\":N,\"first_ts_ms\":MS,\"last_ts_ms\":MS,\"min\":X,\"max\":X,\"sum\":X,\"mean\":X,\n"
    "   \"stddev\":X,\"first\":X,\"last\":X,\"last_value\":V,\"changes\":N,\"time_true_ms\":MS}\n"
    "  (the window is [start_ms, start_ms + width_ms); stddev is the population standard\n"
    "  deviation; min..last are 0 unless numeric, last_value is null for numeric windows,\n"
    "  changes and time_true_ms 0 where they do not apply)\n"
    "V is a number, bool, string or null; Bytes/File values are {\"bytes\":\"<hex>\"}.\n"
    "Exit codes: 0 done, 1 the store cannot be opened or read, 2 bad command line.\n\n"
    "Options");
  desc.add_options()                                   //
    ("help,h", "print this help and exit")             //
    ("data-dir", po::value<std::string>()->value_name("DIR"),
     "directory of the RocksDB database (path; required, must exist)") //
    ("series", po::value<std::string>()->value_name("PREFIX")->default_value(""),
     "only series whose name starts with PREFIX (e.g. \"G/E/D/\"; default all)") //
    ("points", po::bool_switch(), "print every point of the selected series instead of a "
                                  "summary per series") //
    ("windows", po::bool_switch(), "print every stored window of the selected series instead "
                                   "of a summary per series");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "floe-store-dump: %s\n(see floe-store-dump --help)\n", e.what());
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc << '\n';
    return 0;
  }
  if (!vm.count("data-dir") || vm["data-dir"].as<std::string>().empty()) {
    std::fprintf(stderr, "floe-store-dump: --data-dir is required\n(see floe-store-dump --help)\n");
    return 2;
  }
  if (vm["points"].as<bool>() && vm["windows"].as<bool>()) {
    std::fprintf(stderr, "floe-store-dump: --points and --windows exclude each other\n"
                         "(see floe-store-dump --help)\n");
    return 2;
  }
  auto mode = vm["points"].as<bool>()    ? output::points
              : vm["windows"].as<bool>() ? output::windows
                                         : output::summary;
  return dump(vm["data-dir"].as<std::string>(), vm["series"].as<std::string>(), mode);
}

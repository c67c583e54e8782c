#include "common/config_dir.hpp"

#include <filesystem>
#include <system_error>

namespace floe {

std::string find_config_dir(const std::string& source_config_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!source_config_dir.empty() && fs::is_directory(source_config_dir, ec))
    return source_config_dir;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec)
    return "config";
  return (exe.parent_path() / ".." / "config").lexically_normal().string();
}

} // namespace floe

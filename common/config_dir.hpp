#pragma once
// Where floe's programs find config/ (profiles, alarm rules, floe.ini) without installing it:
// the source tree's config/ when it exists (the path is compiled in), else
// <directory of the executable>/../config (an installed layout), else "config".

#include <string>

namespace floe {

std::string find_config_dir(const std::string& source_config_dir);

} // namespace floe

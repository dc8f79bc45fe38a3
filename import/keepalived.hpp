// Reads keepalived.conf (keepalived.conf(5), keepalived 2.2) into plain
// structures: global_defs, vrrp_script and vrrp_instance, with keepalived's
// defaults filled in.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "import/common.hpp"

namespace config_import {

struct VrrpScript {
  std::string name;
  Position at;
  Setting<std::string> script;
  Time interval = sim::kSecond;  // keepalived's defaults: interval 1 s, weight 0, fall 1, rise 1
  int weight = 0;
  int fall = 1;
  int rise = 1;
  Position interval_at, weight_at, fall_at, rise_at;
};

struct TrackedScript {
  Word name;
  Setting<int> weight;  // a weight on the track_script line overrides the script's
};

struct VrrpInstance {
  std::string name;
  Position at;
  Setting<std::string> state;
  Setting<int> virtual_router_id;
  int priority = 100;
  Position priority_at;
  Time advert_int = sim::kSecond;
  Position advert_int_at;
  Setting<bool> nopreempt;
  Setting<Time> preempt_delay;
  std::vector<Word> virtual_addresses;  // the first word of each line
  std::vector<TrackedScript> track_scripts;
};

struct KeepalivedFile {
  std::string path;
  Setting<int> vrrp_version;  // 2 unless set
  Setting<Time> garp_master_delay;
  std::vector<VrrpScript> scripts;
  std::vector<VrrpInstance> instances;
};

KeepalivedFile read_keepalived(const std::filesystem::path& file, const Position& named_at, Notes& notes);
KeepalivedFile read_keepalived_text(const std::string& text, const std::string& file, Notes& notes);

}  // namespace config_import

// A process-wide watch on ATen operators, for the from-scratch check.
//
// A global RecordFunction callback runs for every operator that goes through
// torch's dispatcher, in every thread: composite operators before they
// decompose (aten::dropout, aten::linear), however they are reached
// (torch.ops.aten.*.default, torch._C._nn.*, TorchScript, eager torch.compile
// backends), with Python's torch-function and dispatch modes switched off,
// and from threads the student starts.  User scopes are watched too, which is
// how torch.optim marks its steps ("Optimizer.step#SGD.step").
//
// The worker sets the names to look for and takes what was seen after each
// call; names are compared as strings without allocating.
#include <torch/extension.h>
#include <ATen/record_function.h>

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

std::mutex mutex;
std::vector<std::string> storage;                 // owns the watched names
std::unordered_set<std::string_view> exact;       // "aten::dropout"
std::vector<std::string> prefixes;                // "Optimizer.step#"
std::set<std::string> seen;
at::CallbackHandle handle = 0;

std::unique_ptr<at::ObserverContext> on_enter(const at::RecordFunction& fn) {
  std::string_view name(fn.name());
  std::lock_guard<std::mutex> guard(mutex);
  if (exact.count(name)) {
    seen.emplace(name);
  } else {
    for (const auto& prefix : prefixes) {
      if (name.substr(0, prefix.size()) == prefix) seen.emplace(prefix);
    }
  }
  return nullptr;
}

void install() {
  if (handle != 0) return;
  handle = at::addGlobalCallback(
      at::RecordFunctionCallback(on_enter)
          .needsInputs(false)
          .needsOutputs(false)
          .needsIds(false)
          .scopes({at::RecordScope::FUNCTION, at::RecordScope::USER_SCOPE,
                   at::RecordScope::TORCHSCRIPT_FUNCTION}));
}

// Names ending in '#' or '*' are prefixes (the '*' is dropped); others are exact.
void watch_for(const std::vector<std::string>& names) {
  std::lock_guard<std::mutex> guard(mutex);
  exact.clear();
  prefixes.clear();
  storage = names;
  for (auto& name : storage) {
    if (!name.empty() && (name.back() == '#' || name.back() == '*')) {
      prefixes.push_back(name.back() == '*' ? name.substr(0, name.size() - 1) : name);
    } else {
      exact.insert(std::string_view(name));
    }
  }
}

std::vector<std::string> take() {
  std::lock_guard<std::mutex> guard(mutex);
  std::vector<std::string> out(seen.begin(), seen.end());
  seen.clear();
  return out;
}

// False once student code has switched record functions off or removed callbacks.
bool active() {
  return handle != 0 && at::isRecordFunctionEnabled() && at::hasGlobalCallbacks();
}

}  // namespace

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("install", &install, "register the global callback (once)");
  m.def("watch_for", &watch_for, "the operator names (or prefixes) to record");
  m.def("take", &take, "names seen since the last take, then forget them");
  m.def("active", &active, "whether the callback still runs");
}

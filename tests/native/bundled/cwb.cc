// Bundled library at the bottom: C++, so the wheel needs libstdc++ from the system.
#include <string>

extern "C" int cwb_value(void) {
    volatile int seed = 4200;
    return static_cast<int>(std::to_string(seed).size()) * 10 + 2;
}

# Script mode: turns IN into a C++ source defining phaseout::embedded::SYMBOL as a string_view.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," body "${hex}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace phaseout::embedded {\nnamespace {\nconstexpr char kData[] = {${body} '\\0'};\n}\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL}(kData, ${size});\n}  // namespace phaseout::embedded\n")

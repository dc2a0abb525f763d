# Strict warnings for the project's own targets (STYLE.md 17). Applied per
# target so third-party headers pulled in as SYSTEM are not held to them.
set(SYNACK_WARNINGS -Wall -Wextra -Wshadow -Wconversion -Wswitch-enum
    -Wstrict-prototypes -Wmissing-prototypes)
if(SYNACK_WERROR)
  list(APPEND SYNACK_WARNINGS -Werror)
endif()

function(synack_strict target)
  target_compile_options(${target} PRIVATE ${SYNACK_WARNINGS})
endfunction()

# Toolchain file for the STM32F103 (Cortex-M3) firmware image, selected by
# the "stm32" preset. The image brings its own startup code and linker
# script (firmware/stm32/), so the toolchain only supplies the compiler,
# newlib-nano for the few libc calls core/ makes (memcpy, memset, memcmp)
# and libnosys so a stray syscall reference links instead of failing. -Os
# and per-function sections with --gc-sections keep the image to what is
# called; -g only fills the ELF's debug sections, never the flash image.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

find_program(ARM_GCC arm-none-eabi-gcc)
if(NOT ARM_GCC)
  message(FATAL_ERROR "arm-none-eabi-gcc not found: install gcc-arm-none-eabi")
endif()
set(CMAKE_C_COMPILER ${ARM_GCC})
find_program(CMAKE_OBJCOPY arm-none-eabi-objcopy REQUIRED)
find_program(SYNACK_SIZE arm-none-eabi-size REQUIRED)

set(SYNACK_ARM_CPU "-mcpu=cortex-m3 -mthumb")
set(CMAKE_C_FLAGS_INIT "${SYNACK_ARM_CPU} -Os -g -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${SYNACK_ARM_CPU} -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections")

set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Toolchain file for the ATmega328P firmware image (avr-gcc + avr-libc).
# Selected by the "avr" preset. Flags favour size: -Os, one section per
# function and object so --gc-sections can drop what the image never calls
# (core/ is one static library holding driver, codecs and stack); -g only
# fills the ELF's debug sections for debuggers and simavr, never the flash
# image. F_CPU is fixed here because <util/delay.h> and the UART baud maths
# need it at compile time; the board is a 16 MHz Uno/Nano class part.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR avr)

find_program(AVR_GCC avr-gcc)
if(NOT AVR_GCC)
  message(FATAL_ERROR "avr-gcc not found: install gcc-avr, avr-libc and binutils-avr")
endif()
set(CMAKE_C_COMPILER ${AVR_GCC})
find_program(CMAKE_OBJCOPY avr-objcopy REQUIRED)
find_program(SYNACK_SIZE avr-size REQUIRED)

set(SYNACK_MCU atmega328p CACHE STRING "AVR part (-mmcu)")
set(SYNACK_F_CPU 16000000UL CACHE STRING "AVR clock in Hz (F_CPU)")

set(CMAKE_C_FLAGS_INIT
    "-mmcu=${SYNACK_MCU} -DF_CPU=${SYNACK_F_CPU} -Os -g -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-mmcu=${SYNACK_MCU} -Wl,--gc-sections")

# The compiler check would try to link a host-style program; a static
# library is enough to prove the compiler works.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# outputs.cmake - run after each image's link (cmake -P): the size report
# and the SHA-256 of each build output, beside the image.
#   IMAGE.size.txt  Berkeley text/data/bss of IMAGE.elf
#   IMAGE.sha256    "<hash>  <file>" lines for the .elf, .hex and .bin, the
#                   format sha256sum -c checks
#   -DSIZE=<size tool> -DIMAGE=<path without extension>
execute_process(COMMAND ${SIZE} --format=berkeley ${IMAGE}.elf OUTPUT_FILE ${IMAGE}.size.txt
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE} failed on ${IMAGE}.elf")
endif()
get_filename_component(dir ${IMAGE} DIRECTORY)
set(text "")
foreach(ext elf hex bin)
  file(SHA256 ${IMAGE}.${ext} h)
  get_filename_component(f ${IMAGE}.${ext} NAME)
  string(APPEND text "${h}  ${f}\n")
endforeach()
file(WRITE ${IMAGE}.sha256.tmp "${text}")
file(RENAME ${IMAGE}.sha256.tmp ${IMAGE}.sha256)

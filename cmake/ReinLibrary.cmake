# rein_add_library(<folder> SOURCES ... HEADERS ... PUBLIC ... PRIVATE ...)
# One library per folder: target rein_<folder>, alias rein::<folder>. HEADERS are the public
# headers of the folder (paths relative to it); they are installed under include/rein/<folder>/.
function(rein_add_library folder)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;PUBLIC;PRIVATE" ${ARGN})
  set(target rein_${folder})
  add_library(${target} ${ARG_SOURCES})
  add_library(rein::${folder} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${folder} OUTPUT_NAME rein_${folder})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/rein>)
  target_compile_features(${target} PUBLIC cxx_std_20)
  # rein's own warnings and -march=native stay on rein's targets: BUILD_INTERFACE keeps
  # rein_options out of the exported package, so a user's targets get none of them.
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC}
                        PRIVATE $<BUILD_INTERFACE:rein_options> ${ARG_PRIVATE})
  if(REIN_SANITIZE)  # sanitized static libraries need the runtime wherever they are linked
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
  endif()
  install(TARGETS ${target} EXPORT reinTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  foreach(header ${ARG_HEADERS})  # subfolders kept: rl/algorithms/ppo.h -> rein/rl/algorithms/
    get_filename_component(header_dir ${header} DIRECTORY)
    install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rein/${folder}/${header_dir})
  endforeach()
endfunction()

# CTest: `cmake --install` into a temporary prefix, then the installed vitscope-cli, run from another
# working directory with VITSCOPE_ASSETS unset, predicts with the installed default model; with
# MODE=deb, cpack builds the .deb and its file list and dependencies are checked (dpkg-deb).
# cmake -DBUILD_DIR=... -DWORK_DIR=... -DMODE=install|deb -P install_test.cmake
cmake_minimum_required(VERSION 3.24)

function(check_run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

function(expect_contains text needle what)
  string(FIND "${text}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: expected to find '${needle}' in:\n${text}")
  endif()
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/elsewhere")

set(installed_files
  bin/vitscope
  bin/vitscope-cli
  share/vitscope/assets/models/vitscope-vit-tiny/model.safetensors
  share/vitscope/assets/models/vitscope-vit-tiny/config.json
  share/vitscope/assets/models/vitscope-swin-tiny/model.safetensors
  share/vitscope/assets/images/default.png
  share/vitscope/assets/labels/imagenet1k.txt
  share/applications/vitscope.desktop
  share/icons/hicolor/scalable/apps/vitscope.svg
  share/doc/vitscope/README.md)

if(MODE STREQUAL "install")
  set(prefix "${WORK_DIR}/prefix")
  check_run("cmake --install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")
  foreach(f IN LISTS installed_files)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "cmake --install did not install ${f}")
    endif()
  endforeach()
  # Mark the installed copy of the default model's class names: the output shows which copy ran.
  set(config "${prefix}/share/vitscope/assets/models/vitscope-vit-tiny/config.json")
  file(READ "${config}" text)
  string(REPLACE "\"star\"" "\"star (installed copy)\"" text "${text}")
  file(WRITE "${config}" "${text}")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env --unset=VITSCOPE_ASSETS
            "${prefix}/bin/vitscope-cli" predict "${prefix}/share/vitscope/assets/images/default.png" --topk 1
    WORKING_DIRECTORY "${WORK_DIR}/elsewhere"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "installed vitscope-cli predict failed (${rc}):\n${out}\n${err}")
  endif()
  expect_contains("${out}" "vitscope-vit-tiny on " "installed predict")
  expect_contains("${out}" " 1. star (installed copy) " "installed predict (the installed assets)")
  message(STATUS "installed and predicted:\n${out}")
elseif(MODE STREQUAL "deb")
  find_program(CPACK cpack)
  find_program(DPKG_DEB dpkg-deb)
  if(NOT CPACK OR NOT DPKG_DEB)
    message("SKIP: the .deb check needs cpack and dpkg-deb (apt-get install cmake dpkg)")
    return()
  endif()
  check_run("cpack -G DEB" ${CPACK} -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${WORK_DIR}")
  file(GLOB debs "${WORK_DIR}/vitscope_*.deb")
  list(LENGTH debs n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "cpack made ${n} vitscope_*.deb files in ${WORK_DIR}, expected 1")
  endif()
  check_run("dpkg-deb -c" ${DPKG_DEB} -c "${debs}")
  foreach(f IN LISTS installed_files)
    expect_contains("${run_out}" "./usr/${f}\n" "dpkg-deb -c")
  endforeach()
  check_run("dpkg-deb -f" ${DPKG_DEB} -f "${debs}" Package Depends)
  foreach(dep "Package: vitscope" libqt6widgets6 libqt6openglwidgets6 libqt6network6 libopenblas0-openmp)
    expect_contains("${run_out}" "${dep}" "dpkg-deb -f")
  endforeach()
  message(STATUS "${debs}:\n${run_out}")
else()
  message(FATAL_ERROR "MODE must be install or deb")
endif()

# install.cmake: the shared library libgbtm.so and what `cmake --install`
# puts under the prefix (docs/r.md "Installing the library"):
#   lib/libgbtm.so.0.1.0 (soname libgbtm.so.0) and lib/libgbtm.a,
#   include/gbtm.h and include/gbtm_presets.h,
#   bin/gbtm, a link to libexec/gbtm/gbtm, which loads gbtm-commands.so from
#   its own folder (cli/launcher/launcher.c),
#   lib/pkgconfig/gbtm.pc and lib/cmake/gbtm/ (find_package(gbtm), the
#   imported target gbtm::gbtm).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(gbtm_shared SHARED $<TARGET_OBJECTS:gbtm_objects>)
set_target_properties(gbtm_shared PROPERTIES OUTPUT_NAME gbtm EXPORT_NAME gbtm
                      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
target_include_directories(gbtm_shared INTERFACE
                           $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                           $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# Its dependencies are its own (DT_NEEDED): a program links libgbtm alone.
target_link_libraries(gbtm_shared PRIVATE ${GBTM_LIB_LINK})
# Every symbol resolved at link time (not with the sanitizers: clang leaves
# their runtime to the program).
if(NOT GBTM_SANITIZE AND NOT GBTM_FUZZ)
  target_link_options(gbtm_shared PRIVATE -Wl,--no-undefined)
endif()
add_library(gbtm::gbtm ALIAS gbtm_shared)

set(GBTM_LIBEXEC ${CMAKE_INSTALL_LIBEXECDIR}/gbtm)
install(TARGETS gbtm_shared EXPORT gbtmTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gbtm_lib ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES include/gbtm.h include/gbtm_presets.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS gbtm RUNTIME DESTINATION ${GBTM_LIBEXEC})
install(TARGETS gbtm_commands LIBRARY DESTINATION ${GBTM_LIBEXEC})
if(GBTM_MPI)
  # engine/base/processes.c looks for the plugin beside the code that holds
  # the library: the commands module, or libgbtm.so.
  install(TARGETS gbtm_mpi LIBRARY DESTINATION ${GBTM_LIBEXEC})
  install(TARGETS gbtm_mpi LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
file(RELATIVE_PATH GBTM_BIN_TO_LIBEXEC ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}
     ${CMAKE_INSTALL_PREFIX}/${GBTM_LIBEXEC})
install(CODE "
  file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  file(CREATE_LINK \"${GBTM_BIN_TO_LIBEXEC}/gbtm\"
       \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/gbtm\" SYMBOLIC)")

# pkg-config: the shared library needs nothing more at link time; a static
# link (pkg-config --static) adds what libgbtm.a uses: GSL, HDF5 and
# OpenBLAS through their own .pc files (Debian's libgsl-dev, libhdf5-dev,
# libopenblas-dev), ReadStat (no .pc file), OpenMP, libm and libdl.
set(GBTM_PC_REQUIRES gsl)
set(GBTM_PC_LIBS_PRIVATE "")
pkg_check_modules(GBTM_PC_HDF5 QUIET hdf5)
pkg_check_modules(GBTM_PC_OPENBLAS QUIET openblas)
if(GBTM_PC_HDF5_FOUND)
  string(APPEND GBTM_PC_REQUIRES " hdf5")
else()
  foreach(l ${HDF5_C_LIBRARIES})
    string(APPEND GBTM_PC_LIBS_PRIVATE " ${l}")
  endforeach()
endif()
if(GBTM_PC_OPENBLAS_FOUND)
  string(APPEND GBTM_PC_REQUIRES " openblas")
else()
  foreach(l ${LAPACK_LIBRARIES})
    string(APPEND GBTM_PC_LIBS_PRIVATE " ${l}")
  endforeach()
endif()
get_filename_component(GBTM_READSTAT_DIR ${READSTAT_LIBRARY} DIRECTORY)
string(APPEND GBTM_PC_LIBS_PRIVATE " -L${GBTM_READSTAT_DIR} -lreadstat ${OpenMP_C_FLAGS} -lm")
foreach(l ${CMAKE_DL_LIBS})
  string(APPEND GBTM_PC_LIBS_PRIVATE " -l${l}")
endforeach()
# The prefix relative to the .pc file's folder, so that the installed tree
# may be given to cmake --install --prefix and moved.
file(RELATIVE_PATH GBTM_PC_TO_PREFIX /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" GBTM_PC_TO_PREFIX "${GBTM_PC_TO_PREFIX}")
configure_file(cmake/gbtm.pc.in ${CMAKE_CURRENT_BINARY_DIR}/gbtm.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gbtm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake: find_package(gbtm) gives gbtm::gbtm (the shared library).
set(GBTM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/gbtm)
install(EXPORT gbtmTargets NAMESPACE gbtm:: DESTINATION ${GBTM_CMAKE_DIR})
configure_package_config_file(cmake/gbtmConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/gbtmConfig.cmake
                              INSTALL_DESTINATION ${GBTM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/gbtmConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gbtmConfig.cmake
        ${CMAKE_CURRENT_BINARY_DIR}/gbtmConfigVersion.cmake DESTINATION ${GBTM_CMAKE_DIR})

# What `cmake --install` puts under the prefix, and the .deb CPack makes of it:
#   bin/vitscope, bin/vitscope-cli (bin/vitscope-lab when that target exists)
#   share/vitscope/assets/        default models, sample images, ImageNet-1k class names
#   share/applications/vitscope.desktop, share/icons/hicolor/scalable/apps/vitscope.svg
#   share/doc/vitscope/README.md
# The programs find the assets as ../share/vitscope/assets beside themselves
# (app/imageio/default_assets.cpp), so the prefix can be anywhere.
include(GNUInstallDirs)

foreach(_vitscope_program vitscope vitscope-cli vitscope-lab)
  if(TARGET ${_vitscope_program})
    install(TARGETS ${_vitscope_program} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vitscope/assets)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/vitscope.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/vitscope.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian package: `cd build && cpack -G DEB` -> vitscope_<version>_<arch>.deb, installed on a lab
# machine with `sudo apt install ./vitscope_*.deb` (apt fetches the dependencies below).
set(CPACK_PACKAGE_NAME vitscope)
set(CPACK_PACKAGE_VENDOR "vitscope")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Attention microscope for Vision Transformers (ViT, DeiT, DINO, DINOv2, Swin)")
set(CPACK_PACKAGE_DESCRIPTION
    "vitscope runs ViT-family and Swin models in its own C++ engine and shows every attention head\n"
    "on your images: heatmaps, heads grid, attention matrix, Swin windows, analyses and figures.\n"
    "Comes with two small embedded models, sample images and the ImageNet-1k class names.")
set(CPACK_PACKAGE_CONTACT "vitscope maintainers <vitscope@localhost>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # vitscope_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_STRIP_FILES ON)
# Debian 12's own packages: what the programs link (Qt's X11 platform plugin is in libqt6gui6).
set(_vitscope_deb_depends
    libc6 libstdc++6 libgcc-s1 libgomp1
    libqt6core6 libqt6gui6 libqt6widgets6 libqt6opengl6 libqt6openglwidgets6 libqt6concurrent6
    libqt6network6 libqt6svg6 libgif7 fonts-dejavu-core)
if(VITSCOPE_BLAS)
  list(APPEND _vitscope_deb_depends libopenblas0-openmp)
endif()
if(TARGET vitscope-lab)
  list(APPEND _vitscope_deb_depends libglfw3)
endif()
list(JOIN _vitscope_deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_GENERATOR DEB)
include(CPack)

# cmake -DFILES="a;b" -P CheckDeps.cmake: fails when one of FILES needs a shared
# library beyond the C/C++ system libraries and libcnnrt -- the runtime and the
# apps embedding a model must never pull in the compiler (MLIR, LLVM, Halide).
file(GET_RUNTIME_DEPENDENCIES
  LIBRARIES ${FILES}
  RESOLVED_DEPENDENCIES_VAR resolved UNRESOLVED_DEPENDENCIES_VAR unresolved
  DIRECTORIES ${DIRS})
foreach(dep IN LISTS resolved unresolved)
  get_filename_component(name ${dep} NAME)
  if(NOT name MATCHES "^(libc|libm|libdl|libpthread|librt|libstdc\\+\\+|libgcc_s|libcnnrt|ld-linux.*)\\.so")
    message(FATAL_ERROR "a runtime client needs ${dep} (checked: ${FILES})")
  endif()
endforeach()
message(STATUS "dependencies: ${resolved} ${unresolved}")

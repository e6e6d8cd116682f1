# lit configuration for cnnc: FileCheck tests of the tools.
import os
import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".graph", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_obj_root, "test")
# Our tools first, then FileCheck/not/split-file of LLVM 22.
config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%cnnc_src", config.cnnc_src_root))
config.substitutions.append(("%cnnc_lib", os.path.join(config.cnnc_obj_root, "lib")))
config.substitutions.append(("%examples", os.path.join(config.cnnc_src_root, "examples")))
config.substitutions.append(("%python", os.path.join(config.cnnc_venv, "bin", "python")))
config.substitutions.append(("%fakemodels", os.path.join(config.cnnc_obj_root, "test", "fake-models")))
# Debian's libonnx-testdata: ONNX node and PyTorch-converted test models.
config.substitutions.append(("%onnx_data", "/usr/share/libonnx-testdata/data"))

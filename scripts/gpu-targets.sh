# Sourced by scripts/check-cuda, scripts/gpu-bundle and scripts/gpu-check: the core test
# executables that the `cuda` preset builds and a GPU machine runs (CRISP_TEST_DEVICE=cuda).
# shellcheck disable=SC2034
gpu_tests=(test_experiment_device test_trainer test_fused_adamw test_classifier
           test_attention_policy test_experiment_set test_c10d_synchronizer)

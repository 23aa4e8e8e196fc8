"""城乡环境综合提质: inspections, problems and their loop 发现 → 交办 → 整改 → 验收销号 → 回头看."""

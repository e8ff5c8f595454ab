"""创建档案: evidence per item of the standard, its completeness and the archive zip."""

"""Reports (周汇总, 周排名, 月通报, 季度公示, 年度考评, 屡办不成清单), hot-topic warnings (热点预警) and the
leaders' dashboard."""
